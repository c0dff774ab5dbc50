from typing import Any

from motcua.core.command import MotcuaCommand


class Command(MotcuaCommand):
    help = "Units, sectors and procedures: `catalogue import FILE.json`, `catalogue export`, `import-national`."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser(
            "import", help="create or update units, sectors and procedures (interfaces §3.1)"
        )
        imp.add_argument("file")
        sub.add_parser("export", help="print the catalogue as JSON (interfaces §3.1)")
        nat = sub.add_parser(
            "import-national", help="import the national procedure database export (docs/integration.md)"
        )
        nat.add_argument("file")
        nat.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "import-national":
            from motcua.portal.national import national_catalogue_import

            report = national_catalogue_import(data=self.read_json(options["file"]), dry_run=options["dry_run"])
            for line in report.lines():
                self.stdout.write(line)
            return
        if options["subcommand"] == "import":
            from motcua.catalogue.services import catalogue_import

            data = self.read_json(options["file"])
            for line in catalogue_import(data=data).lines():
                self.stdout.write(line)
        else:
            import json

            from motcua.catalogue.selectors import catalogue_export

            self.stdout.write(json.dumps(catalogue_export(), ensure_ascii=False, indent=1))
