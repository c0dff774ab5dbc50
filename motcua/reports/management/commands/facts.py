from typing import Any

from motcua.core.command import MotcuaCommand


class Command(MotcuaCommand):
    help = "Stored report facts: `facts verify` (recompute from events, list differences), `facts rebuild`."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="recompute every dossier's facts from its events and report differences")
        sub.add_parser("rebuild", help="rewrite every stored fact from the dossiers")

    def handle(self, *args: Any, **options: Any) -> None:
        import sys

        from motcua.reports.facts import facts_rebuild, facts_verify

        if options["subcommand"] == "rebuild":
            self.stdout.write(f"rebuilt {facts_rebuild()} facts")
            return
        checked, differences = facts_verify()
        for difference in differences:
            self.stderr.write(difference.line())
        self.stdout.write(f"checked {checked} dossiers, {len(differences)} differences")
        if differences:
            sys.exit(1)
