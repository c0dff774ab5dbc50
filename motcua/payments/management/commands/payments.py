"""``motcua payments``: online payments from the command line.

motcua payments reconcile [--older-than MINUTES]   ask the gateway about pending payments and settle them
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import CommandParser

from motcua.core.command import MotcuaCommand


class Command(MotcuaCommand):
    help = "Online payments: reconcile pending transactions with the gateway"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        reconcile = sub.add_parser("reconcile", help="query the gateway for pending payments and settle them")
        reconcile.add_argument("--older-than", type=int, default=0, metavar="MINUTES",
                               help="only payments created at least this many minutes ago")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.payments.services import payments_reconcile

        report = payments_reconcile(older_than=timedelta(minutes=options["older_than"]))
        for error in report.errors:
            self.stderr.write(f"error: {error}")
        self.stdout.write(report.line())
        if report.errors:
            raise SystemExit(1)
