"""``motcua reform``: the administrative-reform plan (rules §6) from the command line.

    motcua reform import FILE.json|FILE.xlsx --unit CODE
    motcua reform export --unit CODE --year Y [--format json|xlsx] [--output PATH]
    motcua reform status --unit CODE --year Y [--as-of DATE] [--format text|json]
    motcua reform demo [--unit CODE]
"""

import json
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import CommandError
from django.utils import timezone

from motcua.core.command import MotcuaCommand

DEMO_UNIT = "000.31.00.H11"


def _date(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{option}: {value!r} is not a date YYYY-MM-DD") from exc


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


def status_lines(figures: dict[str, Any]) -> list[str]:
    """The completion figures as a person reads them."""
    plan = figures["plan"]
    by_deadline, by_year_end = figures["by_deadline"], figures["by_year_end"]
    lines = [
        f"{plan['unit_name']} ({plan['unit']}) — kế hoạch CCHC năm {plan['year']}, "
        f"số {plan['decision_number']} ngày {date.fromisoformat(plan['decision_date']).strftime('%d/%m/%Y')}",
        f"as of {figures['as_of']}",
        f"tasks {figures['total']}, removed {figures['removed']}, counted {figures['counted']}",
        f"done {figures['done']} (on time {figures['done_on_time']}, late {figures['done_late']}), "
        f"in progress {figures['in_progress']}, not started {figures['not_started']}, "
        f"overdue {figures['overdue']}",
        f"completion {figures['done']}/{figures['counted']} = {_percent(figures['rate'])}",
        f"by deadline: {by_deadline['numerator']}/{by_deadline['denominator']} = "
        f"{_percent(by_deadline['rate'])} (tasks due by {figures['as_of']} done on time)",
        f"by year end ({by_year_end['as_of']}): {by_year_end['numerator']}/{by_year_end['denominator']} = "
        f"{_percent(by_year_end['rate'])}",
        "by area:",
    ]
    width = max((len(a["name"]) for a in figures["by_area"]), default=0)
    for area in figures["by_area"]:
        lines.append(f"  {area['name']:<{width}}  {area['done']:>3}/{area['counted']:<3} {_percent(area['rate']):>8}"
                     f"  (overdue {area['overdue']}, removed {area['removed']})")
    return lines


class Command(MotcuaCommand):
    help = ("Reform plan: `reform import FILE --unit CODE`, `reform export --unit CODE --year Y`, "
            "`reform status --unit CODE --year Y [--as-of DATE]`, `reform demo`.")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser("import", help="create or update a plan and its tasks from a JSON or XLSX file")
        imp.add_argument("file", help="FILE.json or FILE.xlsx (docs/reform-plan.md)")
        imp.add_argument("--unit", required=True, help="unit code (agency code)")
        exp = sub.add_parser("export", help="write a plan as JSON (default: standard output) or XLSX")
        exp.add_argument("--unit", required=True)
        exp.add_argument("--year", type=int, required=True)
        exp.add_argument("--format", default="json", choices=("json", "xlsx"))
        exp.add_argument("--output", help="file to write (required for xlsx)")
        status = sub.add_parser("status", help="the completion figures of rules §6")
        status.add_argument("--unit", required=True)
        status.add_argument("--year", type=int, required=True)
        status.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today in the unit's time zone)")
        status.add_argument("--format", default="text", choices=("text", "json"))
        demo = sub.add_parser("demo", help="load the sample 2025 plan of Đông Khê (idempotent)")
        demo.add_argument("--unit", default=DEMO_UNIT, help=f"unit code (default {DEMO_UNIT})")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['subcommand']}")(**options)

    def handle_import(self, **options: Any) -> None:
        from motcua.reform.services import plan_import, plan_import_xlsx

        path = options["file"]
        if path.lower().endswith(".xlsx"):
            self.error_source = path
            file = Path(path)
            if not file.is_file():
                raise CommandError(f"{path}: no such file")
            result = plan_import_xlsx(file.read_bytes(), unit_code=options["unit"])
        else:
            result = plan_import(self.read_json(path), unit_code=options["unit"])
        for line in result.lines():
            self.stdout.write(line)

    def handle_export(self, **options: Any) -> None:
        from motcua.reform.selectors import plan_export, plan_export_xlsx, plan_for_unit

        plan = plan_for_unit(unit_code=options["unit"], year=options["year"])
        output = options["output"]
        if options["format"] == "xlsx":
            if not output:
                raise CommandError("--output: required with --format xlsx")
            Path(output).write_bytes(plan_export_xlsx(plan))
            self.stdout.write(f"wrote {output}")
            return
        text = json.dumps(plan_export(plan), ensure_ascii=False, indent=2) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {output}")
        else:
            self.stdout.write(text, ending="")

    def handle_status(self, **options: Any) -> None:
        from motcua.reform.selectors import plan_completion, plan_for_unit

        plan = plan_for_unit(unit_code=options["unit"], year=options["year"])
        as_of = (_date("--as-of", options["as_of"]) if options["as_of"]
                 else timezone.now().astimezone(ZoneInfo(plan.unit.timezone)).date())
        figures = plan_completion(plan, as_of=as_of)
        if options["format"] == "json":
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
            return
        for line in status_lines(figures):
            self.stdout.write(line)

    def handle_demo(self, **options: Any) -> None:
        from motcua.catalogue.models import Unit
        from motcua.reform.services import plan_load_demo

        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"--unit: {options['unit']!r} is not a known unit code")
        for line in plan_load_demo(unit).lines():
            self.stdout.write(line)
