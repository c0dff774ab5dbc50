from typing import Any

from motcua.core.command import MotcuaCommand


class Command(MotcuaCommand):
    help = "Documents: `documents digitization --unit CODE --from D --to D [--format json|csv]`."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        fig = sub.add_parser("digitization", help="digitization rates per procedure and per officer")
        fig.add_argument("--unit", required=True, help="unit code (a commune, or a province: its communes)")
        fig.add_argument("--from", dest="date_from", help="first day YYYY-MM-DD")
        fig.add_argument("--to", dest="date_to", help="last day YYYY-MM-DD")
        fig.add_argument("--period", help="instead of --from/--to: 2025, 2025-09, 2025-Q3, 2025-Q3-15")
        fig.add_argument("--format", default="json", choices=("json", "csv"))

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.documents.cli import render_figures
        from motcua.documents.selectors import digitization_figures
        from motcua.reports.cli import unit_and_period

        unit, date_from, date_to = unit_and_period(options)
        figures = digitization_figures(unit=unit, date_from=date_from, date_to=date_to)
        self.stdout.write(render_figures(figures, options["format"]), ending="")
