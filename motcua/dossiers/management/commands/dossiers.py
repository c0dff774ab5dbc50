"""``motcua dossiers import FILE.jsonl``: import historic dossiers (interfaces §2, §3.3).

The file is streamed, never loaded whole. It is first read once to check that it is UTF-8 text and to count
its lines (for the progress bar); nothing is written when it is not. Then each line is replayed through the
services' decision steps, 100 lines a transaction with a savepoint each (a line is all or nothing); a failing
line is reported on stderr as ``FILE:LINE: message`` and the others go on. stdout ends with
``imported N, failed M`` (and ``skipped K (already imported)`` when K > 0). Exit status: 0 when every line was
imported or skipped, 1 when any line failed (the good lines are still committed).
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from motcua.core.command import MotcuaCommand

READ_CHUNK = 1 << 20


def scan_utf8_lines(path: Path, name: str) -> int:
    """The number of lines of ``path``, streaming; CommandError naming the line if it is not UTF-8 text."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines = 0
    last = b""
    with path.open("rb") as fh:
        while chunk := fh.read(READ_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line = newlines + chunk.count(b"\n", 0, max(0, exc.start)) + 1
                raise CommandError(f"{name}:{line}: not UTF-8 text ({exc.reason})") from exc
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise CommandError(f"{name}:{newlines + 1}: not UTF-8 text ({exc.reason} at the end)") from exc
    return newlines + (1 if last not in (b"", b"\n") else 0)


def read_lines(path: Path) -> Iterator[str]:
    """The lines of a UTF-8 file, split on ``\\n`` only (so line numbers match any editor's), BOM removed."""
    with path.open("rb") as fh:
        for n, raw in enumerate(fh):
            text = raw.decode("utf-8")
            yield text.removeprefix("\ufeff") if n == 0 else text


def _progress_bar(
    stack: ExitStack, label: str, total: int
) -> tuple[Callable[[int], None], Callable[[str], None]]:
    """A rich progress bar on stderr (a terminal), and a writer that prints error lines above it."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(file=sys.stderr, highlight=False)
    bar = stack.enter_context(
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
    )
    task = bar.add_task(label, total=total)

    def progress(done: int) -> None:
        bar.update(task, completed=done)

    def write_error(text: str) -> None:
        console.print(text, markup=False, soft_wrap=True)

    return progress, write_error


class Command(MotcuaCommand):
    help = "Historic dossiers: `dossiers import FILE.jsonl` replays each line through the live services."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser(
            "import", help="import historic dossiers, one JSON object a line (interfaces §3.3)"
        )
        imp.add_argument("file", help="a JSON Lines file (UTF-8)")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['subcommand']}")(**options)

    def handle_import(self, **options: Any) -> None:
        from motcua.dossiers.importer import LineError, import_dossiers

        name = options["file"]
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"{name}: no such file")
        total = scan_utf8_lines(path, name)

        with ExitStack() as stack:
            progress: Callable[[int], None] | None = None
            write_error: Callable[[str], None] = self.stderr.write
            if self.stderr.isatty():
                progress, write_error = _progress_bar(stack, f"importing {path.name}", total)

            def on_error(error: LineError) -> None:
                write_error(f"{name}:{error.line_no}: {error.message}")

            result = import_dossiers(read_lines(path), source=name, progress=progress, on_error=on_error)

        self.stdout.write(result.summary())
        if result.skipped:
            self.stdout.write(f"skipped {result.skipped} (already imported)")
        if not result.ok:
            self.stdout.flush()
            sys.exit(1)
