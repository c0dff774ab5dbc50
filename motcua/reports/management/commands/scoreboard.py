import json
import sys
from typing import Any

from motcua.core.command import MotcuaCommand

FORMATS = ("json", "table")


class Command(MotcuaCommand):
    help = (
        "Decision 766 scoreboard: `scoreboard show --unit CODE --from DATE --to DATE [--period P] "
        "[--format json|table] [--no-store] [--set VERSION]`, `scoreboard run ID`, "
        "`scoreboard load-definitions [FILE.json]`, `scoreboard sets`."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        show = sub.add_parser("show", help="compute a unit's scoreboard for a period (stored as a new run)")
        show.add_argument(
            "--unit", required=True, help="unit code (a commune, or a province: sum of communes)"
        )
        show.add_argument("--from", dest="date_from", help="first day YYYY-MM-DD")
        show.add_argument("--to", dest="date_to", help="last day YYYY-MM-DD")
        show.add_argument("--period", help="instead of --from/--to: 2025, 2025-09, 2025-Q3, 2025-Q3-15")
        show.add_argument("--format", default="json", choices=FORMATS)
        show.add_argument("--no-store", action="store_true", help="compute only; do not store a run")
        show.add_argument("--set", dest="version", help="indicator set version (default: the one in force)")
        run = sub.add_parser("run", help="show a stored run, exactly as computed")
        run.add_argument("run_id", type=int)
        run.add_argument("--format", default="json", choices=FORMATS)
        load = sub.add_parser(
            "load-definitions",
            help="store a definition file as a new set version if its "
            "content is new (default: the bundled v1 file)",
        )
        load.add_argument(
            "file", nargs="?", help="definitions JSON (shape of reports/data/indicators_766_v1.json)"
        )
        sub.add_parser("sets", help="list the stored indicator set versions")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["subcommand"].replace("-", "_"))(options)

    def _write(self, board: dict[str, Any], fmt: str) -> None:
        from motcua.reports.indicators import scoreboard_table

        if fmt == "table":
            self.stdout.write(scoreboard_table(board), ending="")
        else:
            self.stdout.write(json.dumps(board, ensure_ascii=False, indent=2))

    def _show(self, options: dict[str, Any]) -> None:
        from motcua.reports.cli import unit_and_period
        from motcua.reports.indicators import scoreboard_compute, scoreboard_get

        unit, date_from, date_to = unit_and_period(options)
        run = scoreboard_compute(
            unit=unit,
            date_from=date_from,
            date_to=date_to,
            actor=None,
            store=not options["no_store"],
            version=options.get("version"),
        )
        self._write(scoreboard_get(run=run), options["format"])

    def _run(self, options: dict[str, Any]) -> None:
        from motcua.reports.indicators import score_run_get, scoreboard_get

        self._write(scoreboard_get(run=score_run_get(run_id=options["run_id"], user=None)), options["format"])

    def _load_definitions(self, options: dict[str, Any]) -> None:
        from motcua.reports.indicators import BUNDLED_DEFINITIONS, DefinitionsInvalid, indicator_set_load

        path = options.get("file") or str(BUNDLED_DEFINITIONS)
        data = self.read_json(path)
        try:
            indicator_set, created = indicator_set_load(data=data)
        except DefinitionsInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(f"error: {path}: {problem}")
            sys.exit(1)
        count = indicator_set.definitions.count()
        if created:
            self.stdout.write(
                f"created indicator set {indicator_set.version}: {count} indicators, effective from "
                f"{indicator_set.effective_from.isoformat()}"
            )
        else:
            self.stdout.write(f"unchanged: {path} has the content of indicator set {indicator_set.version}")

    def _sets(self, options: dict[str, Any]) -> None:
        from django.utils import timezone

        from motcua.reports.models import IndicatorSet

        for s in IndicatorSet.objects.order_by("effective_from", "created_at", "id"):
            self.stdout.write(
                f"{s.version}\teffective from {s.effective_from.isoformat()}\t"
                f"loaded {timezone.localtime(s.created_at).isoformat(timespec='seconds')}\t"
                f"{s.definitions.count()} indicators"
            )
