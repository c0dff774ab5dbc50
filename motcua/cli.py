"""The ``motcua`` command (also ``python -m motcua``).

Every subcommand is a Django management command of one of motcua's apps, so ``motcua init``,
``motcua catalogue import FILE`` and ``motcua calendar due ...`` run exactly like ``django-admin`` with
motcua's settings. Errors are printed to stderr, one line per problem, and the exit status is non-zero.
"""

from __future__ import annotations

import os
import sys

PRODUCT_COMMANDS = """\
motcua — một cửa: the commune one-stop dossier system

Commands:
  init                         create or migrate the database (idempotent)
  serve [--host H] [--port P]  run the web app and REST API (granian)
  catalogue import FILE.json   create or update units, sectors and procedures
  calendar import FILE.json    add or replace calendar overrides
  calendar due --unit CODE --start ISO --value N --time-unit U [--channel C]
  units load-official          load the 34 provinces and 3,321 communes (2025)
  demo [--no-serve]            load the Đông Khê demo (idempotent) and serve it
  dossiers import FILE.jsonl   import historic dossiers through the live services
  report periodic --unit CODE --from D --to D [--format json|table|csv|xlsx|pdf] [--output F]
  report close --unit CODE --from D --to D
  documents digitization --unit CODE --from D --to D [--format json|csv]   digitization rates
  scoreboard show --unit CODE --period 2025-Q3   the Decision 766 indicators
  reform import|export|status  the administrative-reform plan
  facts verify                 check the stored report facts against the events
  worker [--batch]             run background tasks, retries and scheduled jobs (docs/background-work.md)
  portal sync [--once] | dead-letters | resend ID|--all-dead | import-catalogue FILE.json
                               national portal: send the outbox, dead letters, national procedure import
  interop load-groups|late     interconnected procedures; late consultations
  payments reconcile           settle pending online payments with the gateway (docs/payments.md)
  token create --user NAME     create an API token
  signing init-ca|issue|list   local CA, signing certificates of units and officers (docs/signatures.md)
  verify FILE.pdf              check a signed PDF: intact, signer, trusted (exit 0 valid, 1 invalid)
  user create ...              create a staff user with roles

Run `motcua COMMAND --help` for a command's options, `motcua help --all` for every Django command.
"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    if not argv or argv in (["-h"], ["--help"], ["help"]):
        sys.stdout.write(PRODUCT_COMMANDS)
        return 0
    if argv[:2] == ["help", "--all"]:
        argv = ["help"]
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["motcua", *argv])
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0
