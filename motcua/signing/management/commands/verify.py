"""``motcua verify FILE.pdf``: exit 0 when every signature is intact and trusted, 1 otherwise, with one line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from motcua.core.command import MotcuaCommand
from motcua.signing.verification import pdf_verify


class Command(MotcuaCommand):
    help = "Check a signed PDF: intact since signing, signer, signing time, trusted by our CA (exit 0 valid, 1 not)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="FILE.pdf")
        parser.add_argument("--vi", action="store_true", help="print the message in Vietnamese")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        result = pdf_verify(path.read_bytes())
        line = result.line()
        if options["vi"]:
            line = line.replace(result.message_en, result.message_vi, 1)
        if result.valid:
            self.stdout.write(f"{path}: {line}")
            return
        self.stderr.write(f"{path}: {line}")
        sys.exit(1)
