"""Fixtures of the signing tests: a local CA in a temporary data directory, a plain PDF, dossiers."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from conftest import Staff, vn
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.signing import keys
from motcua.signing.services import signing_ca_init


@cache
def plain_pdf() -> bytes:
    import weasyprint

    html = "<h1>Giấy tiếp nhận hồ sơ</h1><p>Ông Nông Văn A nộp hồ sơ đăng ký nhận cha, mẹ, con.</p>"
    return bytes(weasyprint.HTML(string=html).write_pdf())


@pytest.fixture
def data_dir(settings: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty MOTCUA_DATA_DIR; no dedicated key password and no extra trust roots from the environment."""
    monkeypatch.delenv("MOTCUA_SIGNING_KEY_PASSWORD", raising=False)
    for name in ("TRUST_ROOTS", "TSA_URL", "TSA_SERVE"):
        monkeypatch.delenv(f"MOTCUA_SIGNING_{name}", raising=False)
    settings.DATA_DIR = tmp_path / "var"  # type: ignore[attr-defined]
    settings.SIGNING_KEY_PASSWORD = ""  # type: ignore[attr-defined]
    settings.SIGNING_TRUST_ROOTS = ""  # type: ignore[attr-defined]
    settings.SIGNING_TSA_URL = ""  # type: ignore[attr-defined]
    settings.SIGNING_TSA_SERVE = ""  # type: ignore[attr-defined]
    files = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "files")},
    }
    settings.STORAGES = {**settings.STORAGES, "documents": files}  # type: ignore[attr-defined]
    return tmp_path / "var"


@pytest.fixture
def ca(data_dir: Path) -> keys.LocalCA:
    return signing_ca_init(name="motcua test")


def submit(staff: Staff) -> Dossier:
    return s.dossier_submit(
        procedure_code="1.001022",
        receiving_unit_code="000.31.00.H11",
        channel="direct",
        applicant=s.Applicant(
            name="Nông Văn A", id_number="004090000123", phone="0912345678", address="Xóm Nà Pò, xã Đông Khê"
        ),
        actor=staff.desk,
        components=[s.ComponentIn(code=c, digitized=True) for c in ("TK", "CC")],
        at=vn("2026-03-09 08:00"),
    )


def accepted(staff: Staff) -> Dossier:
    d = submit(staff)
    return s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))


def resolved(staff: Staff) -> Dossier:
    d = accepted(staff)
    s.dossier_confirm_payment(
        dossier_id=d.pk, actor=staff.desk, method="cash", amount=15000, at=vn("2026-03-09 09:02")
    )
    d = s.dossier_forward(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:05"))
    for action, actor in (("propose", staff.specialist), ("approve", staff.approver)):
        d = s.dossier_act(dossier_id=d.pk, action=action, actor=actor, at=vn("2026-03-11 09:00"))
    return s.dossier_resolve(
        dossier_id=d.pk, actor=staff.clerk, result_code="TL-12", e_copy=True, at=vn("2026-03-12 16:00")
    )
