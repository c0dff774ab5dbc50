from typing import Any

from motcua.core.command import MotcuaCommand


class Command(MotcuaCommand):
    help = "Administrative units: `units load-official` loads the 34 provinces and 3,321 communes of 2025."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser(
            "load-official", help="load the official 2025 list with statistical codes (idempotent)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.catalogue.services import units_load_official

        changes = units_load_official()
        self.stdout.write(
            f"units: {len(changes.created)} created, {len(changes.updated)} updated, "
            f"{changes.unchanged} unchanged"
        )
