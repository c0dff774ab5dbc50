from typing import Any

from django.core.management.base import CommandError

from motcua.core.command import MotcuaCommand


class Command(MotcuaCommand):
    help = "API tokens: `token create --user NAME [--name LABEL]`, `token revoke PREFIX`, `token list`."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="create a token; it is printed once and never stored in clear")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")
        sub.add_parser("list")

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.accounts.models import ApiToken, User
        from motcua.accounts.services import token_create, token_revoke

        if options["subcommand"] == "create":
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"--user: {options['user']!r} is not a known user")
            token, _record = token_create(user=user, name=options["name"])
            self.stdout.write(token)
        elif options["subcommand"] == "revoke":
            token_revoke(prefix=options["prefix"])
            self.stdout.write(f"revoked {options['prefix']}")
        else:
            for t in ApiToken.objects.select_related("user").order_by("created_at"):
                state = "revoked" if t.revoked_at else "active"
                self.stdout.write(
                    f"{t.prefix}…\t{t.user.username}\t{t.name}\t{state}\t{t.created_at:%Y-%m-%d}"
                )
