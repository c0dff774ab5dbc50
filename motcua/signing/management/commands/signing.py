"""``motcua signing``: the local CA, signing identities and signed result copies.

motcua signing init-ca [--name NAME]
motcua signing issue --unit CODE | --user NAME [--user-unit CODE]
motcua signing register-pkcs12 FILE.p12 --password-env VAR (--unit CODE | --user NAME)
motcua signing register-pkcs11 --library SO --token LABEL --key LABEL --pin-env VAR --certificate PEM
                               [--chain PEM] (--unit CODE | --user NAME)
motcua signing list
motcua signing sign-result --dossier CODE --file RESULT.pdf --user NAME [--personal]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from motcua.accounts.models import User
from motcua.core.command import MotcuaCommand
from motcua.dossiers.models import Dossier
from motcua.signing import keys, services
from motcua.signing.models import SigningIdentity


def _owner(parser: Any) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--unit", help="unit code (the unit's seal)")
    group.add_argument("--user", help="username (an officer's own certificate)")


class Command(MotcuaCommand):
    help = (
        "Digital signatures: `signing init-ca`, `signing issue --unit CODE | --user NAME`, "
        "`signing register-pkcs12 FILE --password-env VAR ...`, `signing register-pkcs11 ...`, "
        "`signing list`, `signing sign-result --dossier CODE --file F --user NAME`."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        init = sub.add_parser(
            "init-ca", help="create the local root and issuing CA under MOTCUA_DATA_DIR/signing/ca"
        )
        init.add_argument("--name", default="motcua", help="name in the CA certificates (default motcua)")
        issue = sub.add_parser(
            "issue", help="a key and certificate from the local CA for a unit or an officer"
        )
        _owner(issue)
        issue.add_argument("--user-unit", help="the unit named in an officer's certificate")
        p12 = sub.add_parser("register-pkcs12", help="use a real certificate kept in a PKCS#12 file")
        p12.add_argument("file")
        p12.add_argument(
            "--password-env", required=True, help="environment variable holding the file's password"
        )
        _owner(p12)
        p11 = sub.add_parser("register-pkcs11", help="use a key on a PKCS#11 token (USB token, HSM)")
        p11.add_argument("--library", required=True, help="the token's PKCS#11 module (.so)")
        p11.add_argument("--token", required=True, help="token label")
        p11.add_argument("--key", required=True, help="private key label on the token")
        p11.add_argument("--pin-env", required=True, help="environment variable holding the user PIN")
        p11.add_argument("--certificate", required=True, help="the key's certificate (PEM file)")
        p11.add_argument("--chain", help="intermediate CA certificates (PEM file)")
        _owner(p11)
        sub.add_parser("list", help="the signing identities")
        result = sub.add_parser(
            "sign-result", help="sign a resolved dossier's result file and keep the e-copy"
        )
        result.add_argument("--dossier", required=True, help="dossier code")
        result.add_argument("--file", required=True, help="the result as PDF")
        result.add_argument(
            "--user", required=True, help="the signing officer (approver or clerk of the unit)"
        )
        result.add_argument("--personal", action="store_true", help="sign with the officer's own certificate")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["subcommand"].replace("-", "_"))(options)

    def _line(self, identity: SigningIdentity) -> str:
        owner = f"unit {identity.unit.code}" if identity.unit_id else f"user {identity.user.username}"  # type: ignore[union-attr]
        state = "active" if identity.active else "retired"
        return (
            f"{identity.pk}\t{owner}\t{identity.kind}\t{state}\t{identity.subject}\t"
            f"valid to {identity.not_after:%Y-%m-%d}\tsha256 {identity.fingerprint[:16]}…"
        )

    def _init_ca(self, options: dict[str, Any]) -> None:
        ca = services.signing_ca_init(name=options["name"])
        self.stdout.write(f"local CA created in {keys.ca_dir()}")
        self.stdout.write(f"root:    {ca.root.subject.rfc4514_string()}  sha256 {keys.fingerprint(ca.root)}")
        self.stdout.write(f"issuing: {ca.issuing.subject.rfc4514_string()}")

    def _issue(self, options: dict[str, Any]) -> None:
        identity = services.identity_issue(
            unit_code=options["unit"], username=options["user"], user_unit_code=options["user_unit"]
        )
        self.stdout.write(self._line(identity))

    def _register_pkcs12(self, options: dict[str, Any]) -> None:
        identity = services.identity_register_pkcs12(
            path=options["file"],
            secret_env=options["password_env"],
            unit_code=options["unit"],
            username=options["user"],
        )
        self.stdout.write(self._line(identity))

    def _register_pkcs11(self, options: dict[str, Any]) -> None:
        def read(name: str | None) -> str:
            if not name:
                return ""
            if not Path(name).is_file():
                raise CommandError(f"{name}: no such file")
            return Path(name).read_text(encoding="ascii")

        identity = services.identity_register_pkcs11(
            library=options["library"],
            token_label=options["token"],
            key_label=options["key"],
            secret_env=options["pin_env"],
            certificate_pem=read(options["certificate"]),
            chain_pem=read(options["chain"]),
            unit_code=options["unit"],
            username=options["user"],
        )
        self.stdout.write(self._line(identity))

    def _list(self, options: dict[str, Any]) -> None:
        for identity in SigningIdentity.objects.select_related("unit", "user").order_by("id"):
            self.stdout.write(self._line(identity))

    def _sign_result(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        dossier = Dossier.objects.filter(code=options["dossier"]).first()
        if dossier is None:
            raise CommandError(f"dossier {options['dossier']!r} does not exist")
        actor = User.objects.filter(username=options["user"]).first()
        if actor is None:
            raise CommandError(f"user {options['user']!r} does not exist")
        copy = services.result_ecopy_sign(
            dossier_id=dossier.pk,
            filename=path.name,
            content=path.read_bytes(),
            actor=actor,
            personal=options["personal"],
        )
        self.stdout.write(
            f"signed e-copy {copy.pk} of {dossier.code}: {copy.filename}, {copy.size} bytes, "
            f"sha256 {copy.sha256}"
        )
