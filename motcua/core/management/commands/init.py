from typing import Any

from django.core.management import call_command

from motcua.core.command import MotcuaCommand


class Command(MotcuaCommand):
    help = "Create or migrate the database and install the default calendar overrides (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.catalogue.services import calendar_install_defaults

        verbosity = int(options.get("verbosity", 1))
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        changes = calendar_install_defaults()
        if verbosity:
            from django.conf import settings

            db = settings.DATABASES["default"]
            where = db["NAME"] if str(db["ENGINE"]).endswith("sqlite3") else f"{db.get('HOST')}/{db['NAME']}"
            self.stdout.write(f"database ready: {where}")
            self.stdout.write(
                f"calendar overrides: {len(changes.created)} added, "
                f"{len(changes.updated)} updated, {changes.unchanged} unchanged"
            )
