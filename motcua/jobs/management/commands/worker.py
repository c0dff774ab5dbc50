"""``motcua worker``: run background tasks, scheduled jobs and retries (docs/background-work.md)."""

from __future__ import annotations

import logging
from argparse import ArgumentParser
from typing import Any

from django.utils.crypto import get_random_string

from motcua.core.command import MotcuaCommand
from motcua.jobs import schedule
from motcua.jobs.worker import Worker
from motcua.logging import PersonalDataFilter


def log_handler(stream: Any) -> logging.Handler:
    """The worker's stderr log handler: timestamped lines, through the personal-data filter like every handler
    (no ID or phone number, no lookup secret)."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    handler.addFilter(PersonalDataFilter())
    return handler


class Command(MotcuaCommand):
    help = "Run background tasks and scheduled jobs until stopped (Ctrl+C / SIGTERM finish the current task)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--queue-name", default="*", help="queues to process, comma-separated ('*': all)")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds to wait when idle (1)")
        parser.add_argument("--batch", action="store_true", help="run every ready task, then exit")
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after this many tasks")
        parser.add_argument("--worker-id", default="", help="unique id of this worker (default: random)")
        parser.add_argument("--no-schedule", action="store_true", help="do not enqueue scheduled jobs")
        parser.add_argument(
            "--stale-after",
            type=float,
            default=60.0,
            help="seconds without a heartbeat after which another worker's running task is taken back (60)",
        )
        parser.add_argument("--heartbeat", type=float, default=5.0, help="seconds between heartbeats (5)")
        parser.add_argument("--no-startup-delay", action="store_true", help="start polling at once")
        parser.add_argument("--list-schedule", action="store_true", help="print the schedule and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list_schedule"]:
            for entry in schedule.entries():
                self.stdout.write(f"{entry.name}\t{entry.spec}\t{entry.task_path}")
            return
        handler = log_handler(self.stderr)
        for name in ("motcua.jobs", "motcua.notify"):
            log = logging.getLogger(name)
            log.setLevel(logging.INFO if options["verbosity"] >= 1 else logging.WARNING)
            log.addHandler(handler)
        worker = Worker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            startup_delay=not options["no_startup_delay"] and not options["batch"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"] or get_random_string(32),
            run_schedule=not options["no_schedule"],
            stale_after=options["stale_after"],
            heartbeat=options["heartbeat"],
        )
        worker.configure_signals()
        worker.run()
