from typing import Any

from motcua.core.command import MotcuaCommand


class Command(MotcuaCommand):
    help = "Catalogue of units, sectors and procedures: `catalogue import FILE.json`, `catalogue export`."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser(
            "import", help="create or update units, sectors and procedures (interfaces §3.1)"
        )
        imp.add_argument("file")
        sub.add_parser("export", help="print the catalogue as JSON (interfaces §3.1)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "import":
            from motcua.catalogue.services import catalogue_import

            data = self.read_json(options["file"])
            for line in catalogue_import(data=data).lines():
                self.stdout.write(line)
        else:
            import json

            from motcua.catalogue.selectors import catalogue_export

            self.stdout.write(json.dumps(catalogue_export(), ensure_ascii=False, indent=1))
