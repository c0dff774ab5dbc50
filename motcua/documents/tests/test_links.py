"""Signed links to a result's e-copy, as the portal record's ``DuongDanTepTinKetQua`` carries them."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from conftest import Staff
from motcua.documents import services
from motcua.documents.tests.conftest import pdf_bytes, resolved
from motcua.portal.payload import dossier_record

pytestmark = pytest.mark.django_db


def test_the_portal_record_links_the_result_e_copy_and_the_link_serves_it(staff: Staff) -> None:
    # given a resolved dossier: no e-copy yet, no link
    d = resolved(staff, result_code="TL-12")
    assert dossier_record(d, upto_seq=d.version)["DanhSachGiayToKetQua"][0]["DuongDanTepTinKetQua"] is None
    # when the clerk attaches the e-copy
    content = pdf_bytes("KQ TL-12")
    services.result_attach(
        dossier_id=d.pk,
        actor=staff.clerk,
        result_code="TL-12",
        name="ket-qua.pdf",
        stream=io.BytesIO(content),
    )
    # then the next portal record carries an absolute signed address that anyone (the portal) can fetch
    url = dossier_record(d, upto_seq=d.version)["DanhSachGiayToKetQua"][0]["DuongDanTepTinKetQua"]
    assert url.startswith("http")
    assert "/tep-ket-qua/" in url
    path = "/tep-ket-qua/" + url.split("/tep-ket-qua/", 1)[1]
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == content  # type: ignore[attr-defined]
    # and a tampered or made-up token reaches nothing
    assert Client().get(path[:-3] + "xx/").status_code == 404
    assert Client().get("/tep-ket-qua/1/").status_code == 404
