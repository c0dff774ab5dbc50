from typing import Any

from django.core.management import call_command

from motcua.core.command import MotcuaCommand


class Command(MotcuaCommand):
    help = (
        "Create the database, load the Đông Khê demo (idempotent) and serve it; --no-serve loads and exits."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-serve", action="store_true", help="load the demo data and exit")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-worker", action="store_true", help="do not run the background worker next to the server"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import time

        from motcua.demo.load import COMMUNE, DEMO_PASSWORD, demo_load

        call_command("init", verbosity=options.get("verbosity", 1))
        started = time.monotonic()
        self.stdout.write("loading the Đông Khê demo (Cao Bằng) …")
        result = demo_load(out=self.stdout.write)
        self.stdout.write(
            f"demo: {result.created} dossiers loaded, {result.skipped} already there, "
            f"{result.live} open ones for today ({time.monotonic() - started:.0f} s)"
        )
        self._signing_seal(COMMUNE)
        self.stdout.write(
            f"\nsign in at http://{options['host']}:{options['port']}/can-bo/dang-nhap/ with password "
            f"{DEMO_PASSWORD!r} as:"
        )
        for username, role, unit in result.users:
            self.stdout.write(f"  {username:<18} {role:<16} {unit}")
        self.stdout.write(
            f"\nthe inspection's figures: motcua report periodic --unit {COMMUNE} "
            "--from 2025-07-01 --to 2025-11-30 --format table"
        )
        if options["no_serve"]:
            return
        worker = None
        if not options["no_worker"]:
            # notifications, portal sync and payment reconciliation run in the background (docs/background-work.md)
            import subprocess
            import sys

            worker = subprocess.Popen([sys.executable, "-m", "motcua", "worker"])
            self.stdout.write(f"background worker started (pid {worker.pid})")
        try:
            call_command("serve", host=options["host"], port=options["port"])
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=30)

    def _signing_seal(self, unit_code: str) -> None:
        """The local CA and the commune's seal, so the demo's signed forms and e-results work (idempotent)."""
        try:
            from motcua.signing import keys
            from motcua.signing.models import SigningIdentity
            from motcua.signing.services import identity_issue, signing_ca_init
        except ImportError:  # pragma: no cover - signing is part of motcua; kept optional for slim builds
            return
        if not keys.ca_exists():
            signing_ca_init()
        if not SigningIdentity.objects.filter(active=True, unit__code=unit_code).exists():
            identity_issue(unit_code=unit_code)
            self.stdout.write(f"signing certificate issued for {unit_code} by the local demo CA")
