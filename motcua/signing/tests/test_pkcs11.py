"""Signing with a key on a PKCS#11 token, against SoftHSMv2 (Debian package ``softhsm2``; skipped without it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from conftest import COMMUNE, Staff
from motcua.core.errors import ApplicationError
from motcua.signing import keys
from motcua.signing.services import identity_register_pkcs11, pdf_sign
from motcua.signing.tests.conftest import plain_pdf
from motcua.signing.verification import pdf_verify

SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not SOFTHSM.exists() or shutil.which("softhsm2-util") is None, reason="softhsm2 is not installed"
    ),
]
pytest.importorskip("pkcs11", reason="python-pkcs11 is not installed")


@pytest.fixture
def token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh SoftHSM token "motcua-test" (user PIN 1234) in a temporary directory."""
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            "motcua-test",
            "--pin",
            "1234",
            "--so-pin",
            "5678",
        ],
        check=True,
        capture_output=True,
    )
    return tmp_path


def test_a_key_on_a_pkcs11_token_signs_and_the_pin_stays_in_the_environment(
    staff: Staff, ca: keys.LocalCA, token: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the unit's key lives on the token; its certificate is issued by our CA
    key = keys.key_generate()
    pem = token / "seal.key.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    subprocess.run(
        [
            "softhsm2-util",
            "--import",
            str(pem),
            "--token",
            "motcua-test",
            "--label",
            "seal",
            "--id",
            "01",
            "--pin",
            "1234",
        ],
        check=True,
        capture_output=True,
    )
    pem.unlink()
    cert = keys.certificate_issue(
        ca,
        subject=keys.subject_name(common_name="UBND Xã Đông Khê", organization="Xã Đông Khê", unit=COMMUNE),
        public_key=key.public_key(),
    )
    monkeypatch.setenv("DONG_KHE_TOKEN_PIN", "1234")
    identity = identity_register_pkcs11(
        library=str(SOFTHSM),
        token_label="motcua-test",
        key_label="seal",
        secret_env="DONG_KHE_TOKEN_PIN",
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        chain_pem=ca.issuing.public_bytes(serialization.Encoding.PEM).decode(),
        unit_code=COMMUNE,
    )
    # when
    signed = pdf_sign(pdf_bytes=plain_pdf(), identity=identity, reason="Ký bằng USB token", actor=staff.desk)
    # then
    result = pdf_verify(signed)
    assert result.valid, result.line()
    assert result.signatures[0].signer == "UBND Xã Đông Khê"
    assert identity.encrypted_key_pem == ""
    # and a wrong PIN is one clear error
    monkeypatch.setenv("DONG_KHE_TOKEN_PIN", "0000")
    with pytest.raises(ApplicationError, match="cannot open PKCS#11 token 'motcua-test'"):
        pdf_sign(pdf_bytes=plain_pdf(), identity=identity, reason="Ký", actor=staff.desk)
