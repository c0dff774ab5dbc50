"""Storing, checking and attaching documents: real bytes, SHA-256 dedupe, reuse within one applicant only."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest

from conftest import Staff
from motcua.core.errors import FieldError, Forbidden, NotFound, StateError
from motcua.documents import services
from motcua.documents.files import owner_id_hash, sniff
from motcua.documents.models import ComponentDocument, ResultDocument, Source, StoredDocument
from motcua.documents.selectors import reuse_candidates
from motcua.documents.tests.conftest import APPLICANT_ID, image_bytes, pdf_bytes, resolved, submit
from motcua.dossiers.models import DossierComponent

pytestmark = pytest.mark.django_db


def scan(
    staff: Staff, component: DossierComponent, content: bytes, name: str = "scan.pdf"
) -> ComponentDocument:
    return services.component_digitize(
        component_id=component.pk, actor=staff.desk, name=name, stream=io.BytesIO(content)
    )


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("PDF", "application/pdf"), ("JPEG", "image/jpeg"), ("PNG", "image/png"), ("TIFF", "image/tiff")],
)
def test_a_scan_is_stored_by_its_real_type_under_its_sha256(
    staff: Staff, files_dir: Path, fmt: str, content_type: str
) -> None:
    # given
    content = pdf_bytes() if fmt == "PDF" else image_bytes(fmt)
    component = submit(staff).components.get(code="TK")
    # when
    link = scan(staff, component, content, name="to-khai.bin")
    # then
    doc = link.document
    assert (doc.content_type, doc.size, doc.original_name) == (content_type, len(content), "to-khai.bin")
    assert doc.sha256 == hashlib.sha256(content).hexdigest()
    assert doc.storage_name.startswith(f"sha256/{doc.sha256[:2]}/{doc.sha256[2:4]}/{doc.sha256}")
    assert (files_dir / doc.storage_name).read_bytes() == content
    assert doc.uploaded_by == staff.desk
    component.refresh_from_db()
    assert (component.digitized, component.reused) == (True, False)
    assert link.source == Source.SCANNED


@pytest.mark.parametrize(
    ("content", "name", "detected"),
    [
        (image_bytes("GIF"), "scan.pdf", "image/gif"),
        (b"PK\x03\x04" + b"\x00" * 40, "don.pdf", "application/zip"),
        (b"MZ\x90\x00" + b"\x00" * 40, "anh.jpg", "application/x-msdownload"),
        ("Tờ khai".encode(), "to-khai.png", "text/plain"),
    ],
)
def test_other_types_are_refused_naming_the_field_the_file_and_the_detected_type(
    staff: Staff, files_dir: Path, content: bytes, name: str, detected: str
) -> None:
    # given
    component = submit(staff).components.get(code="TK")
    # when
    with pytest.raises(FieldError) as err:
        scan(staff, component, content, name=name)
    # then
    assert err.value.field == "file"
    assert name in err.value.message
    assert detected in err.value.message
    assert StoredDocument.objects.count() == 0
    assert not files_dir.exists() or not any(files_dir.rglob("*.*"))
    component.refresh_from_db()
    assert component.digitized is False


def test_a_file_over_the_configured_limit_is_refused(staff: Staff, settings: Any) -> None:
    # given
    settings.MOTCUA_UPLOAD_MAX_BYTES = 1000
    component = submit(staff).components.get(code="TK")
    big = pdf_bytes() + b"%" + b"0" * 1000
    # when / then
    with pytest.raises(FieldError) as err:
        scan(staff, component, big, name="big.pdf")
    assert err.value.field == "file"
    assert "1,000 bytes" in err.value.message
    assert "big.pdf" in err.value.message
    assert StoredDocument.objects.count() == 0


def test_sniffing_reads_content_not_names() -> None:
    assert sniff(b"%PDF-1.7\n") == "application/pdf"
    assert sniff(b"II*\x00\x08\x00") == "image/tiff"
    assert sniff(b"MM\x00*\x00\x00") == "image/tiff"
    assert sniff(b"") == "application/x-empty"
    assert sniff(b"\x00\xff\xfe\x01") == "application/octet-stream"


def test_the_same_bytes_for_the_same_applicant_are_stored_once(staff: Staff, files_dir: Path) -> None:
    # given two dossiers of one applicant, the same scan attached to three components
    first, second = submit(staff), submit(staff, at="2026-03-10 08:00")
    content = pdf_bytes("CCCD")
    # when
    scan(staff, first.components.get(code="TK"), content)
    scan(staff, first.components.get(code="CC"), content, name="again.pdf")
    scan(staff, second.components.get(code="TK"), content)
    # then
    assert StoredDocument.objects.count() == 1
    assert ComponentDocument.objects.count() == 3
    assert len([p for p in files_dir.rglob("*") if p.is_file()]) == 1


def test_the_same_bytes_for_another_applicant_are_another_document_but_one_stored_copy(
    staff: Staff, files_dir: Path
) -> None:
    content = pdf_bytes("mau don")
    scan(staff, submit(staff).components.get(code="TK"), content)
    scan(staff, submit(staff, id_number="004090000999").components.get(code="TK"), content)
    assert StoredDocument.objects.count() == 2
    assert len({d.owner_id_hash for d in StoredDocument.objects.all()}) == 2
    assert len([p for p in files_dir.rglob("*") if p.is_file()]) == 1


def test_the_owner_is_kept_as_a_keyed_hash_not_the_id_number(staff: Staff) -> None:
    link = scan(staff, submit(staff).components.get(code="TK"), pdf_bytes())
    stored = link.document.owner_id_hash
    assert stored == owner_id_hash(APPLICANT_ID)
    assert APPLICANT_ID not in stored
    assert stored != hashlib.sha256(APPLICANT_ID.encode()).hexdigest()  # keyed, not guessable from the number


def test_a_document_of_an_earlier_dossier_is_reused_for_the_same_applicant(staff: Staff) -> None:
    # given an earlier dossier whose ID card copy was scanned
    earlier = submit(staff)
    earlier_link = scan(staff, earlier.components.get(code="CC"), pdf_bytes("CCCD"), name="cccd.pdf")
    later = submit(staff, at="2026-03-16 08:00")
    component = later.components.get(code="CC")
    # when
    candidates = reuse_candidates(dossier=later)
    link = services.component_reuse(component_id=component.pk, actor=staff.desk, link_id=earlier_link.pk)
    # then
    assert [c.pk for c in candidates] == [earlier_link.pk]
    assert (link.source, link.reused_from, link.document) == (
        Source.REUSED,
        earlier_link,
        earlier_link.document,
    )
    component.refresh_from_db()
    assert (component.digitized, component.reused) == (True, True)
    assert StoredDocument.objects.count() == 1


def test_a_document_of_another_applicant_cannot_be_reused(staff: Staff) -> None:
    # given a scan of someone else's dossier
    theirs = scan(staff, submit(staff, id_number="004090000999").components.get(code="CC"), pdf_bytes("X"))
    mine = submit(staff, at="2026-03-16 08:00")
    component = mine.components.get(code="CC")
    # when / then
    assert reuse_candidates(dossier=mine) == []
    with pytest.raises(NotFound):
        services.component_reuse(component_id=component.pk, actor=staff.desk, link_id=theirs.pk)
    component.refresh_from_db()
    assert (component.digitized, component.reused) == (False, False)


def test_a_document_of_the_same_dossier_is_not_a_reuse(staff: Staff) -> None:
    d = submit(staff)
    link = scan(staff, d.components.get(code="TK"), pdf_bytes())
    with pytest.raises(NotFound):
        services.component_reuse(
            component_id=d.components.get(code="CC").pk, actor=staff.desk, link_id=link.pk
        )


def test_a_document_taken_from_the_personal_data_store_counts_as_reused(staff: Staff) -> None:
    component = submit(staff).components.get(code="CC")
    link = services.component_take_from_personal_store(
        component_id=component.pk, actor=staff.desk, ref="cccd"
    )
    assert (link.source, link.external_ref, link.document.content_type) == (
        Source.PERSONAL_DATA_STORE,
        "cccd",
        "application/pdf",
    )
    component.refresh_from_db()
    assert (component.digitized, component.reused) == (True, True)
    with pytest.raises(NotFound):
        services.component_take_from_personal_store(
            component_id=component.pk, actor=staff.desk, ref="passport"
        )


def test_detaching_the_last_file_clears_the_flags(staff: Staff) -> None:
    component = submit(staff).components.get(code="TK")
    link = scan(staff, component, pdf_bytes())
    services.component_detach(link_id=link.pk, actor=staff.desk)
    component.refresh_from_db()
    assert (component.digitized, component.reused) == (False, False)
    assert StoredDocument.objects.count() == 1  # bytes stay for other links


def test_an_officer_of_another_commune_gets_not_found_and_an_inspector_forbidden(staff: Staff) -> None:
    component = submit(staff).components.get(code="TK")
    with pytest.raises(NotFound):
        services.component_digitize(
            component_id=component.pk, actor=staff.other_desk, name="a.pdf", stream=io.BytesIO(pdf_bytes())
        )
    with pytest.raises(Forbidden):
        services.component_digitize(
            component_id=component.pk, actor=staff.inspector, name="a.pdf", stream=io.BytesIO(pdf_bytes())
        )
    assert StoredDocument.objects.count() == 0


def test_a_closed_dossier_takes_no_new_file(staff: Staff) -> None:
    from conftest import vn
    from motcua.dossiers import services as s

    d = submit(staff)
    s.dossier_refuse(dossier_id=d.pk, actor=staff.desk, reason="không đủ", at=vn("2026-03-09 09:00"))
    with pytest.raises(StateError):
        scan(staff, d.components.get(code="TK"), pdf_bytes())


def test_the_result_e_copy_is_attached_with_its_result_code(staff: Staff) -> None:
    # given
    d = resolved(staff, result_code="TL-12")
    # when
    link = services.result_attach(
        dossier_id=d.pk,
        actor=staff.clerk,
        result_code="TL-12",
        name="ket-qua.pdf",
        stream=io.BytesIO(pdf_bytes("KQ")),
    )
    # then
    assert (link.result_code, link.result.dossier_id, link.document.content_type) == (
        "TL-12",
        d.pk,
        "application/pdf",
    )
    with pytest.raises(FieldError) as err:
        services.result_attach(
            dossier_id=d.pk,
            actor=staff.clerk,
            result_code="TL-99",
            name="x.pdf",
            stream=io.BytesIO(pdf_bytes()),
        )
    assert err.value.field == "result_code"
    assert ResultDocument.objects.count() == 1


def test_a_result_e_copy_needs_a_result(staff: Staff) -> None:
    d = submit(staff)
    with pytest.raises(StateError):
        services.result_attach(
            dossier_id=d.pk, actor=staff.desk, result_code="X", name="x.pdf", stream=io.BytesIO(pdf_bytes())
        )


def test_the_periodic_reports_digitization_figures_count_files_attached_after_the_action(
    staff: Staff,
) -> None:
    from datetime import date

    from conftest import COMMUNE
    from motcua.catalogue.models import Unit
    from motcua.dossiers.models import DossierResult
    from motcua.reports.periodic import periodic_report

    # given a dossier accepted and resolved before any file was attached
    d = resolved(staff, result_code="TL-3")
    unit = Unit.objects.get(code=COMMUNE)

    def digitization() -> dict[str, int]:
        report = periodic_report(unit=unit, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
        return dict(report["digitization"])

    assert digitization() == {"components": 0, "results": 0, "both": 0}
    # when every component is scanned and the result's e-copy attached
    for c in d.components.all():
        scan(staff, c, pdf_bytes(c.code), name=f"{c.code}.pdf")
    services.result_attach(
        dossier_id=d.pk,
        actor=staff.clerk,
        result_code="TL-3",
        name="kq.pdf",
        stream=io.BytesIO(pdf_bytes("KQ")),
    )
    # then
    assert DossierResult.objects.get(dossier=d).e_copy is True
    assert digitization() == {"components": 1, "results": 1, "both": 1}
