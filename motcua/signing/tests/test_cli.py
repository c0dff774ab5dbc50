"""``motcua signing ...`` and ``motcua verify FILE.pdf``: output and exit codes."""

from __future__ import annotations

import contextlib
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.db import connections

from conftest import COMMUNE, Staff
from motcua.cli import main
from motcua.documents.files import document_storage
from motcua.signing import keys
from motcua.signing.models import SignedResultCopy, SigningIdentity
from motcua.signing.services import identity_issue, pdf_sign
from motcua.signing.tests.conftest import plain_pdf, resolved

pytestmark = pytest.mark.django_db


def run(*argv: str) -> tuple[int, str, str]:
    """The real entry point, keeping the test's connection open (commands close every connection at the end)."""
    out, err = StringIO(), StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        mock.patch.object(connections, "close_all"),
    ):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_init_ca_then_issue_for_a_unit_and_an_officer(data_dir: Path, staff: Staff) -> None:
    code, out, err = run("signing", "init-ca")
    assert (code, err) == (0, "")
    assert "local CA created" in out
    assert (data_dir / "signing" / "ca" / "issuing-ca.key.pem").is_file()
    code, out, err = run("signing", "init-ca")
    assert code == 1
    assert err.startswith("error: a local CA already exists")
    code, out, err = run("signing", "issue", "--unit", COMMUNE)
    assert (code, err) == (0, "")
    assert f"unit {COMMUNE}\tlocal\tactive" in out
    code, out, err = run("signing", "issue", "--user", "approver", "--user-unit", COMMUNE)
    assert code == 0
    assert "user approver" in out
    assert SigningIdentity.objects.filter(active=True).count() == 2
    code, out, _ = run("signing", "list")
    assert len(out.splitlines()) == 2


def test_issue_without_a_ca_is_one_clear_line(data_dir: Path, staff: Staff) -> None:
    code, _out, err = run("signing", "issue", "--unit", COMMUNE)
    assert code == 1
    assert err.strip().count("\n") == 0
    assert "run `motcua signing init-ca` first" in err


def test_verify_exit_codes(staff: Staff, ca: keys.LocalCA, tmp_path: Path) -> None:
    # given
    signed = pdf_sign(
        pdf_bytes=plain_pdf(), identity=identity_issue(unit_code=COMMUNE), reason="Ký", actor=staff.desk
    )
    good, bad, plain = tmp_path / "good.pdf", tmp_path / "bad.pdf", tmp_path / "plain.pdf"
    good.write_bytes(signed)
    at = signed.index(b"stream") + 20
    bad.write_bytes(signed[:at] + bytes([signed[at] ^ 1]) + signed[at + 1 :])
    plain.write_bytes(plain_pdf())
    # when / then
    code, out, err = run("verify", str(good))
    assert (code, err) == (0, "")
    assert out.startswith(f"{good}: VALID: The signature is valid")
    assert "Signer: UBND Xã Đông Khê (Xã Đông Khê, 000.31.00.H11)" in out
    code, out, err = run("verify", str(bad))
    assert (code, out) == (1, "")
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"{bad}: INVALID: The file was altered after it was signed")
    code, _, err = run("verify", "--vi", str(bad))
    assert code == 1
    assert "INVALID: Tệp đã bị thay đổi sau khi ký" in err
    code, _, err = run("verify", str(plain))
    assert code == 1
    assert "INVALID: The PDF has no digital signature." in err
    code, _, err = run("verify", str(tmp_path / "missing.pdf"))
    assert code == 1
    assert "no such file" in err


def test_sign_result_keeps_the_signed_copy(staff: Staff, ca: keys.LocalCA, tmp_path: Path) -> None:
    identity_issue(unit_code=COMMUNE)
    dossier = resolved(staff)
    result = tmp_path / "ket-qua.pdf"
    result.write_bytes(plain_pdf())
    code, out, err = run(
        "signing", "sign-result", "--dossier", str(dossier.code), "--file", str(result), "--user", "clerk"
    )
    assert (code, err) == (0, "")
    copy = SignedResultCopy.objects.get()
    assert f"sha256 {copy.sha256}" in out
    signed = tmp_path / "signed.pdf"
    with document_storage().open(copy.document.storage_name, "rb") as file:
        signed.write_bytes(file.read())
    assert run("verify", str(signed))[0] == 0
