"""``motcua openapi``: print, write (``--write``) or check (``--check``) the REST API's OpenAPI document.

The committed copy is ``docs/openapi.json``; ``scripts/check`` runs ``motcua openapi --check`` so an API change
without a regenerated document fails the check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from motcua.core.command import MotcuaCommand

DEFAULT_PATH = Path(settings.BASE_DIR).parent / "docs" / "openapi.json"


class Command(MotcuaCommand):
    help = "Print the OpenAPI document of the REST API; --write updates docs/openapi.json, --check compares."

    def add_arguments(self, parser: Any) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--write", action="store_true", help="write the document to --output")
        mode.add_argument("--check", action="store_true",
                          help="exit 1 if the document at --output differs from the API")
        parser.add_argument("--output", default=str(DEFAULT_PATH), help=f"default: {DEFAULT_PATH}")

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.api.api import openapi_text

        text = openapi_text()
        path = Path(options["output"])
        if options["check"]:
            current = path.read_text(encoding="utf-8") if path.is_file() else None
            if current != text:
                state = "is missing" if current is None else "is out of date"
                raise CommandError(f"{path} {state}: run `motcua openapi --write` and commit it")
            self.stdout.write(f"{path} is up to date")
        elif options["write"]:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_file() and path.read_text(encoding="utf-8") == text:
                self.stdout.write(f"{path} is up to date")
            else:
                path.write_text(text, encoding="utf-8")
                self.stdout.write(f"wrote {path}")
        else:
            self.stdout.write(text, ending="")
