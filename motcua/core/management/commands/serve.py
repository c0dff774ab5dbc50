from typing import Any

from motcua.core.command import MotcuaCommand


class Command(MotcuaCommand):
    help = "Run the web app (staff UI, public pages, REST API) with granian, a production-grade server."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings
        from django.core.management import call_command
        from granian import Granian
        from granian.constants import Interfaces

        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"motcua on http://{options['host']}:{options['port']}/  (Ctrl+C to stop)")
        self.stdout.flush()
        server = Granian(
            "motcua.wsgi:application",
            address=options["host"],
            port=options["port"],
            interface=Interfaces.WSGI,
            workers=options["workers"],
            static_path_route=["/static"],
            static_path_mount=[settings.STATIC_ROOT],
        )
        server.serve()
