from typing import Any

from django.core.management import call_command

from motcua.core.command import MotcuaCommand


class Command(MotcuaCommand):
    help = "Create the database, load the Đông Khê demo (idempotent) and serve it; --no-serve loads and exits."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-serve", action="store_true", help="load the demo data and exit")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        import time

        from motcua.demo.load import COMMUNE, DEMO_PASSWORD, demo_load

        call_command("init", verbosity=options.get("verbosity", 1))
        started = time.monotonic()
        self.stdout.write("loading the Đông Khê demo (Cao Bằng) …")
        result = demo_load(out=self.stdout.write)
        self.stdout.write(f"demo: {result.created} dossiers loaded, {result.skipped} already there "
                          f"({time.monotonic() - started:.0f} s)")
        self.stdout.write(f"\nsign in at http://{options['host']}:{options['port']}/admin/ with password "
                          f"{DEMO_PASSWORD!r} as:")
        for username, role, unit in result.users:
            self.stdout.write(f"  {username:<18} {role:<16} {unit}")
        self.stdout.write(f"\nthe inspection's figures: motcua report periodic --unit {COMMUNE} "
                          "--from 2025-07-01 --to 2025-11-30 --format table")
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])
