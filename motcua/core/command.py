"""Base for motcua's subcommands: application errors become one stderr line and a non-zero exit."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import ApplicationError


class MotcuaCommand(BaseCommand):
    requires_system_checks: list[str] = []

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except ApplicationError as exc:
            source = getattr(self, "error_source", "")
            self.stderr.write(f"error: {source + ': ' if source else ''}{exc.message}")
            sys.exit(1)
        except CommandError as exc:
            self.stderr.write(f"error: {exc}")
            sys.exit(exc.returncode or 1)

    def read_json(self, path: str) -> Any:
        self.error_source = path
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            return json.loads(file.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
