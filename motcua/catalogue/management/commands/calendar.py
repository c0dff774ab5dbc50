from datetime import datetime
from typing import Any

from django.core.management.base import CommandError

from motcua.core.command import MotcuaCommand


class Command(MotcuaCommand):
    help = "Working calendar: `calendar import FILE.json`, `calendar due ...`, `calendar show --unit U --year Y`."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser("import", help="add or replace calendar overrides (interfaces §3.2)")
        imp.add_argument("file")
        due = sub.add_parser("due", help="print the due instant as rules §2.1 computes it")
        due.add_argument("--unit", required=True, help="unit code (agency code)")
        due.add_argument(
            "--start", required=True, help="acceptance instant, ISO 8601 (offset optional: unit tz)"
        )
        due.add_argument("--value", required=True, help="amount of time (may be fractional)")
        due.add_argument(
            "--time-unit",
            required=True,
            dest="time_unit",
            help="working_days | working_hours | calendar_days | same_day",
        )
        due.add_argument("--channel", default="direct", help="direct | online | postal")
        due.add_argument("--cutoff", default="15:00", help="same-day cutoff HH:MM (default 15:00)")
        show = sub.add_parser("show", help="list the days off and swapped working days of a year")
        show.add_argument("--unit", required=True)
        show.add_argument("--year", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['subcommand']}")(**options)

    def handle_import(self, **options: Any) -> None:
        from motcua.catalogue.services import calendar_import

        for line in calendar_import(data=self.read_json(options["file"])).lines():
            self.stdout.write(line)

    def handle_due(self, **options: Any) -> None:
        from datetime import time
        from zoneinfo import ZoneInfo

        from motcua.catalogue.models import Unit
        from motcua.catalogue.selectors import unit_calendar
        from motcua.domain.deadlines import DeadlineError, TimeLimit, compute_due

        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"--unit: {options['unit']!r} is not a known unit code")
        try:
            start = datetime.fromisoformat(options["start"])
        except ValueError as exc:
            raise CommandError(f"--start: {options['start']!r} is not an ISO 8601 date-time") from exc
        if start.tzinfo is None:
            start = start.replace(tzinfo=ZoneInfo(unit.timezone))
        try:
            limit = TimeLimit.parse(options["value"], options["time_unit"])
        except DeadlineError as exc:
            raise CommandError(f"--value/--time-unit: {exc}") from exc
        try:
            cutoff = time.fromisoformat(options["cutoff"])
        except ValueError as exc:
            raise CommandError(f"--cutoff: {options['cutoff']!r} is not HH:MM") from exc
        if options["channel"] not in ("direct", "online", "postal"):
            raise CommandError(f"--channel: {options['channel']!r} must be direct, online or postal")
        due = compute_due(
            calendar=unit_calendar(unit), received_at=start, limit=limit, same_day_cutoff=cutoff
        )
        self.stdout.write(due.astimezone(ZoneInfo(unit.timezone)).isoformat())

    def handle_show(self, **options: Any) -> None:
        from datetime import date, timedelta

        from motcua.catalogue.models import Unit
        from motcua.catalogue.selectors import unit_calendar

        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"--unit: {options['unit']!r} is not a known unit code")
        cal = unit_calendar(unit)
        day = date(options["year"], 1, 1)
        while day.year == options["year"]:
            weekend = day.weekday() >= 5
            working = cal.is_working_day(day)
            if working == weekend:  # a weekday off, or a worked weekend day
                self.stdout.write(f"{day.isoformat()} {day.strftime('%a')} {'working' if working else 'off'}")
            day += timedelta(days=1)
        self.stdout.write(f"calendar version {cal.version}")
