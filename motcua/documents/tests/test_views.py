"""The staff pages of /can-bo/so-hoa/: the components partial with and without htmx, downloads, scope."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from conftest import Staff
from motcua.documents import services
from motcua.documents.models import ComponentDocument
from motcua.documents.tests.conftest import image_bytes, pdf_bytes, resolved, submit

pytestmark = pytest.mark.django_db


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def upload(name: str, content: bytes) -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


def test_without_javascript_a_scan_is_uploaded_by_a_plain_form_and_the_page_reloads(staff: Staff) -> None:
    # given
    d = submit(staff)
    component = d.components.get(code="TK")
    client = signed_in(staff.desk)
    page = client.get(f"/can-bo/so-hoa/ho-so/{d.pk}/")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    # when
    answer = client.post(
        f"/can-bo/so-hoa/ho-so/{d.pk}/thanh-phan/{component.pk}/quet/",
        {"file": upload("to-khai.png", image_bytes("PNG"))},
    )
    # then
    assert answer.status_code == 302
    assert answer["Location"] == f"/can-bo/so-hoa/ho-so/{d.pk}/"
    component.refresh_from_db()
    assert component.digitized
    assert "Đã đính kèm bản quét." in client.get(answer["Location"]).content.decode()


def test_with_htmx_the_answer_is_the_refreshed_partial(staff: Staff) -> None:
    d = submit(staff)
    component = d.components.get(code="TK")
    client = signed_in(staff.desk)
    answer = client.post(
        f"/can-bo/so-hoa/ho-so/{d.pk}/thanh-phan/{component.pk}/quet/",
        {"file": upload("to-khai.pdf", pdf_bytes())},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="documents",
    )
    body = answer.content.decode()
    assert answer.status_code == 200
    assert body.lstrip().startswith('<section class="card" id="documents"')
    assert "to-khai.pdf" in body
    assert "<html" not in body


def test_a_refused_upload_says_why_in_place(staff: Staff) -> None:
    d = submit(staff)
    component = d.components.get(code="TK")
    answer = signed_in(staff.desk).post(
        f"/can-bo/so-hoa/ho-so/{d.pk}/thanh-phan/{component.pk}/quet/",
        {"file": upload("scan.pdf", image_bytes("GIF"))},
        HTTP_HX_REQUEST="true",
    )
    assert answer.status_code == 422
    assert "image/gif" in answer.content.decode()
    assert "scan.pdf" in answer.content.decode()


def test_the_reuse_button_lists_the_applicants_earlier_documents(staff: Staff) -> None:
    earlier = submit(staff)
    link = services.component_digitize(
        component_id=earlier.components.get(code="CC").pk,
        actor=staff.desk,
        name="cccd.pdf",
        stream=io.BytesIO(pdf_bytes()),
    )
    later = submit(staff, at="2026-03-16 08:00")
    component = later.components.get(code="CC")
    client = signed_in(staff.desk)
    page = client.get(f"/can-bo/so-hoa/ho-so/{later.pk}/").content.decode()
    assert f'<option value="{link.pk}">cccd.pdf' in page
    answer = client.post(
        f"/can-bo/so-hoa/ho-so/{later.pk}/thanh-phan/{component.pk}/tai-su-dung/", {"link": link.pk}
    )
    assert answer.status_code == 302
    component.refresh_from_db()
    assert component.reused
    assert component.digitized


def test_a_download_has_the_stored_content_type_and_name(staff: Staff) -> None:
    d = submit(staff)
    content = image_bytes("JPEG")
    link = services.component_digitize(
        component_id=d.components.get(code="TK").pk,
        actor=staff.desk,
        name="anh.jpg",
        stream=io.BytesIO(content),
    )
    for user in (staff.desk, staff.specialist, staff.inspector):
        answer = signed_in(user).get(f"/can-bo/so-hoa/tai-lieu/{link.document_id}/")
        assert answer.status_code == 200
        assert answer["Content-Type"] == "image/jpeg"
        assert "anh.jpg" in answer["Content-Disposition"]
        assert b"".join(answer.streaming_content) == content  # type: ignore[attr-defined]


def test_another_communes_officer_gets_404_for_the_dossier_page_the_upload_and_the_download(
    staff: Staff,
) -> None:
    d = submit(staff)
    component = d.components.get(code="TK")
    link = services.component_digitize(
        component_id=component.pk, actor=staff.desk, name="a.pdf", stream=io.BytesIO(pdf_bytes())
    )
    other = signed_in(staff.other_desk)
    assert other.get(f"/can-bo/so-hoa/tai-lieu/{link.document_id}/").status_code == 404
    assert other.get(f"/can-bo/so-hoa/ho-so/{d.pk}/").status_code == 404
    answer = other.post(
        f"/can-bo/so-hoa/ho-so/{d.pk}/thanh-phan/{component.pk}/quet/",
        {"file": upload("b.pdf", pdf_bytes("b"))},
    )
    assert answer.status_code == 404
    assert ComponentDocument.objects.count() == 1
    assert Client().get(f"/can-bo/so-hoa/tai-lieu/{link.document_id}/").status_code == 302  # sign in first


def test_the_result_e_copy_is_uploaded_from_the_partial(staff: Staff) -> None:
    d = resolved(staff, result_code="TL-7")
    client = signed_in(staff.clerk)
    page = client.get(f"/can-bo/so-hoa/ho-so/{d.pk}/").content.decode()
    assert "TL-7" in page
    answer = client.post(
        f"/can-bo/so-hoa/ho-so/{d.pk}/ket-qua/",
        {"result_code": "TL-7", "file": upload("kq.pdf", pdf_bytes("kq"))},
    )
    assert answer.status_code == 302
    assert "kq.pdf" in client.get(f"/can-bo/so-hoa/ho-so/{d.pk}/").content.decode()


def test_the_dossier_page_can_include_the_section_with_one_tag(staff: Staff) -> None:
    from django.template import Context, Template
    from django.test import RequestFactory

    d = submit(staff)
    request = RequestFactory().get("/")
    request.user = staff.desk
    html = Template("{% load motcua_documents %}{% dossier_documents dossier %}").render(
        Context({"request": request, "dossier": d, "csrf_token": "t"})
    )
    assert 'id="documents"' in html
    assert "Đính kèm bản quét" in html
