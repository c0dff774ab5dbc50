from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError

from motcua.core.command import MotcuaCommand


class Command(MotcuaCommand):
    help = (
        "National Public Service Portal: `portal sync [--once]`, `portal dead-letters`, "
        "`portal resend ID|--all-dead`, `portal import-catalogue FILE.json`, `portal schema [--write]`."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sync = sub.add_parser(
            "sync", help="send the outbox to the portal (MOTCUA_PORTAL_URL), in order per dossier"
        )
        sync.add_argument("--once", action="store_true", help="one pass over what is due now, then exit")
        sync.add_argument("--batch", type=int, default=100, help="messages claimed per pass (default 100)")
        sync.add_argument("--interval", type=float, default=5.0, help="seconds between passes when idle")
        sub.add_parser("dead-letters", help="list the messages the portal never accepted")
        resend = sub.add_parser("resend", help="queue dead messages again")
        resend.add_argument("id", nargs="?", type=int)
        resend.add_argument("--all-dead", action="store_true")
        imp = sub.add_parser(
            "import-catalogue", help="import procedures from the national procedure database export (JSON)"
        )
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="print the report, change nothing")
        schema = sub.add_parser("schema", help="print the sync message JSON Schema")
        schema.add_argument("--write", action="store_true", help="write docs/portal-schema.json")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["subcommand"].replace("-", "_"))(options)

    def _sync(self, options: dict[str, Any]) -> None:
        from motcua.portal import conf
        from motcua.portal.outbox import portal_sync_batch

        if not conf.portal_url():
            raise CommandError("MOTCUA_PORTAL_URL is not set: there is no portal to send to")
        total_sent = total_failed = total_dead = 0
        while True:
            result = portal_sync_batch(options["batch"])
            total_sent, total_failed, total_dead = (
                total_sent + result.sent,
                total_failed + result.failed,
                total_dead + result.dead,
            )
            if options["once"]:
                if result.attempted == 0 or result.sent == 0:
                    break
                continue  # a sent message may make its dossier's next one due: keep going while progress is made
            if result.attempted == 0:
                time.sleep(options["interval"])
        self.stdout.write(f"sent {total_sent}, failed {total_failed} (will retry), dead {total_dead}")

    def _dead_letters(self, options: dict[str, Any]) -> None:
        from motcua.portal.outbox import outbox_dead_letters

        rows = list(outbox_dead_letters().select_related("dossier"))
        for m in rows:
            code = m.dossier.code or "-"
            self.stdout.write(
                f"{m.pk}\t{m.idempotency_key}\t{code}\tstatus {m.portal_status}\t"
                f"{m.attempts} attempts\t{m.last_error}"
            )
        self.stdout.write(f"{len(rows)} dead letter(s)")

    def _resend(self, options: dict[str, Any]) -> None:
        from motcua.portal.outbox import outbox_resend

        if (options["id"] is None) == (not options["all_dead"]):
            raise CommandError("give one message ID or --all-dead")
        n = outbox_resend(message_id=options["id"], all_dead=options["all_dead"])
        self.stdout.write(f"queued {n} message(s) again")

    def _import_catalogue(self, options: dict[str, Any]) -> None:
        from motcua.portal.national import national_catalogue_import

        data = self.read_json(options["file"])
        report = national_catalogue_import(data=data, dry_run=options["dry_run"])
        for line in report.lines():
            self.stdout.write(line)

    def _schema(self, options: dict[str, Any]) -> None:
        from pathlib import Path

        from motcua.portal.schema import schema_text

        if options["write"]:
            path = Path.cwd() / "docs" / "portal-schema.json"
            path.write_text(schema_text(), encoding="utf-8")
            self.stdout.write(f"wrote {path}")
        else:
            self.stdout.write(schema_text(), ending="")
