"""Fixtures of the documents tests: files stored in a temporary folder, real image and PDF bytes, dossiers."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from conftest import COMMUNE, OTHER_COMMUNE, Staff, vn
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier


@pytest.fixture(autouse=True)
def files_dir(settings: Any, tmp_path: Path) -> Path:
    """Every test stores its files under its own folder, through the same STORAGES entry as production."""
    root = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def image_bytes(fmt: str, colour: str = "red") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format=fmt)
    return out.getvalue()


def pdf_bytes(text: str = "scan") -> bytes:
    from motcua.documents.pds import _pdf

    return _pdf(text)


APPLICANT_ID = "004090000123"


def submit(
    staff: Staff,
    *,
    id_number: str = APPLICANT_ID,
    at: str = "2026-03-09 08:00",
    unit: str = COMMUNE,
    components: tuple[str, ...] = ("TK", "CC"),
) -> Dossier:
    return s.dossier_submit(
        procedure_code="1.001022",
        receiving_unit_code=unit,
        channel="direct",
        applicant=s.Applicant(name="Nông Văn A", id_number=id_number, phone="0912345678"),
        actor=staff.desk if unit == COMMUNE else staff.other_desk,
        components=[s.ComponentIn(code=c) for c in components],
        at=vn(at),
    )


def resolved(staff: Staff, *, result_code: str = "TL-12") -> Dossier:
    d = submit(staff)
    d = s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))
    d = s.dossier_forward(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:05"))
    return s.dossier_resolve(
        dossier_id=d.pk, actor=staff.clerk, result_code=result_code, at=vn("2026-03-10 10:00")
    )


__all__ = ["APPLICANT_ID", "OTHER_COMMUNE", "image_bytes", "pdf_bytes", "resolved", "submit"]
