import os
from typing import Any

from django.db import transaction

from motcua.core.command import MotcuaCommand


class Command(MotcuaCommand):
    help = (
        "Staff users: `user create NAME --role ROLE@UNIT[/DEPARTMENT] ... [--admin]`; the password comes "
        "from MOTCUA_NEW_PASSWORD or is asked for."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--full-name", default="", dest="full_name")
        create.add_argument("--email", default="")
        create.add_argument(
            "--role",
            action="append",
            default=[],
            help="ROLE@UNIT_CODE or ROLE@UNIT_CODE/DEPARTMENT_CODE; repeatable",
        )
        create.add_argument("--admin", action="store_true", help="superuser (all units)")
        grant = sub.add_parser("grant")
        grant.add_argument("username")
        grant.add_argument("--role", action="append", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.accounts.models import User
        from motcua.accounts.services import role_grant, user_create
        from motcua.core.errors import FieldError

        with transaction.atomic():
            if options["subcommand"] == "create":
                password = os.environ.get("MOTCUA_NEW_PASSWORD")
                if password is None and self.stdin_isatty():
                    import getpass

                    password = getpass.getpass(f"password for {options['username']}: ")
                user = user_create(
                    username=options["username"],
                    password=password or None,
                    full_name=options["full_name"],
                    email=options["email"],
                    is_superuser=options["admin"],
                )
            else:
                user = User.objects.filter(username=options["username"]).first()
                if user is None:
                    raise FieldError("username", options["username"], "is not a known user")
            for spec in options["role"]:
                role, _, where = spec.partition("@")
                unit, _, department = where.partition("/")
                if not role or not unit:
                    raise FieldError("--role", spec, "must be ROLE@UNIT_CODE[/DEPARTMENT_CODE]")
                role_grant(user=user, role=role, unit_code=unit, department_code=department or None)
        self.stdout.write(f"user {user.username}: roles {', '.join(options['role']) or 'none'}")

    @staticmethod
    def stdin_isatty() -> bool:
        import sys

        return sys.stdin.isatty()
