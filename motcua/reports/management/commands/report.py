import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from motcua.core.command import MotcuaCommand

FORMATS = ("json", "table", "csv", "xlsx", "pdf")


class Command(MotcuaCommand):
    help = "Reports: `report periodic --unit CODE (--from D --to D | --period P)`, `report close`, `digitization`."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        periodic = sub.add_parser("periodic", help="the periodic report of rules §4 (Biểu 06 and inspection figures)")
        periodic.add_argument("--unit", required=True, help="unit code (a commune, or a province: sum of communes)")
        periodic.add_argument("--from", dest="date_from", help="first day YYYY-MM-DD")
        periodic.add_argument("--to", dest="date_to", help="last day YYYY-MM-DD")
        periodic.add_argument("--period", help="instead of --from/--to: 2025, 2025-09, 2025-Q3, 2025-Q3-15")
        periodic.add_argument("--format", default="json", choices=FORMATS)
        periodic.add_argument("--output", help="file to write (default: standard output)")
        close = sub.add_parser("close", help="close a period: store an immutable snapshot of its report")
        close.add_argument("--unit", required=True)
        close.add_argument("--from", dest="date_from", required=True)
        close.add_argument("--to", dest="date_to", required=True)
        close.add_argument("--note", default="")
        dig = sub.add_parser("digitization", help="digitization rates per procedure and per officer")
        dig.add_argument("--unit", required=True)
        dig.add_argument("--from", dest="date_from")
        dig.add_argument("--to", dest="date_to")
        dig.add_argument("--period")
        dig.add_argument("--format", default="json", choices=("json", "csv"))

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.reports.cli import unit_and_period

        unit, date_from, date_to = unit_and_period(options)
        if options["subcommand"] == "digitization":
            from motcua.documents.cli import render_figures
            from motcua.documents.selectors import digitization_figures

            figures = digitization_figures(unit=unit, date_from=date_from, date_to=date_to)
            self.stdout.write(render_figures(figures, options["format"]), ending="")
            return
        if options["subcommand"] == "close":
            from motcua.reports.services import period_close

            closed = period_close(unit=unit, date_from=date_from, date_to=date_to, actor=None, note=options["note"])
            self.stdout.write(f"closed {unit.code} {closed.date_from}..{closed.date_to}: "
                              f"received {closed.figures['received']['total']}, "
                              f"resolved {closed.figures['resolved']['total']}, "
                              f"in process {closed.figures['in_process']['total']}")
            return
        from motcua.reports.periodic import periodic_report
        from motcua.reports.render import render

        report = periodic_report(unit=unit, date_from=date_from, date_to=date_to)
        data = render(report, options["format"])
        if options.get("output"):
            Path(options["output"]).write_bytes(data)
            self.stderr.write(f"wrote {options['output']} ({len(data):,} bytes)")
        elif options["format"] in ("xlsx", "pdf") and sys.stdout.isatty():
            raise CommandError(f"--output: {options['format']} is binary; give a file name")
        elif options["format"] in ("xlsx", "pdf"):
            self.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            self.stdout.write(data.decode("utf-8-sig"), ending="" if data.endswith(b"\n") else "\n")
