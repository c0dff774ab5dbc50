"""Published documents by category and unit, the reform plan published automatically, the home page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from conftest import COMMUNE, OTHER_COMMUNE, Staff
from motcua.catalogue.models import Unit
from motcua.feedback.models import PublishedDocument
from motcua.reform import services as reform

pytestmark = pytest.mark.django_db


def _section(html: str, key: str) -> str:
    start = html.index(f'id="{key}"')
    return html[start : html.index("</section>", start)]


def test_documents_are_listed_by_category_with_the_reform_plan(
    staff: Staff, settings: object, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    commune = Unit.objects.get(code=COMMUNE)
    estimate = PublishedDocument(
        unit=commune,
        category="budget_estimate",
        title="Dự toán ngân sách xã năm 2026",
        number="12/QĐ-UBND",
        date=date(2026, 1, 5),
        year=2026,
    )
    estimate.file.save("du-toan-2026.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    PublishedDocument.objects.create(
        unit=commune,
        category="budget_execution",
        year=2026,
        title="Tình hình thực hiện dự toán quý I năm 2026",
        url="https://example.vn/q1",
    )
    PublishedDocument.objects.create(
        unit=commune,
        category="budget_settlement",
        title="Quyết toán năm 2024 (cũ)",
        url="https://example.vn/old",
        active=False,
    )
    PublishedDocument.objects.create(
        unit=Unit.objects.get(code=OTHER_COMMUNE),
        category="budget_estimate",
        title="Dự toán của xã Thạch An",
        url="https://example.vn/ta",
    )
    plan = reform.plan_create(
        unit_code=COMMUNE,
        year=2026,
        decision_number="38/KH-UBND",
        decision_date=date(2026, 1, 10),
        title="Kế hoạch cải cách hành chính năm 2026",
    )
    reform.task_create(
        plan_id=plan.pk,
        number="1",
        area="procedures",
        content="Rà soát thủ tục hành chính",
        deadline=date(2026, 3, 31),
        status="done",
        completed_on=date(2026, 3, 20),
    )
    reform.task_create(
        plan_id=plan.pk,
        number="2",
        area="digital_government",
        content="Số hóa hồ sơ",
        deadline=date(2026, 12, 31),
    )

    response = Client().get("/cong-khai/", {"don-vi": COMMUNE})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dự toán ngân sách xã năm 2026" in _section(html, "budget_estimate")
    assert "12/QĐ-UBND" in _section(html, "budget_estimate")
    assert "Tình hình thực hiện dự toán quý I năm 2026" in _section(html, "budget_execution")
    assert "Quyết toán năm 2024 (cũ)" not in html  # withdrawn
    assert "Dự toán của xã Thạch An" not in html  # another unit
    plan_section = _section(html, "reform_plan")
    assert "Kế hoạch cải cách hành chính năm 2026" in plan_section
    assert "1/2" in plan_section
    assert "50%" in plan_section
    assert "/thu-tuc/" in _section(html, "procedures_list")

    other = Client().get("/cong-khai/", {"don-vi": OTHER_COMMUNE}).content.decode()
    assert "Dự toán của xã Thạch An" in other
    assert "Dự toán ngân sách xã năm 2026" not in other

    file = Client().get(f"/cong-khai/tep/{estimate.pk}/")
    assert file.status_code == 200
    assert file["Content-Type"] == "application/pdf"
    assert b"".join(file.streaming_content) == b"%PDF-1.4 test"  # type: ignore[attr-defined]
    link = PublishedDocument.objects.get(category="budget_execution")
    assert Client().get(f"/cong-khai/tep/{link.pk}/")["Location"] == "https://example.vn/q1"

    page = Client().get(f"/cong-khai/ke-hoach-cchc/{plan.pk}/").content.decode()
    assert "Rà soát thủ tục hành chính" in page
    assert "Hoàn thành đúng hạn" in page
    assert "Số hóa hồ sơ" in page


def test_home_page_links_everywhere(catalogue: dict[str, object]) -> None:
    html = Client().get("/").content.decode()
    for url in ("/tra-cuu/", "/thu-tuc/", "/thong-ke/", "/cong-khai/", "/phan-anh/", "/can-bo/dang-nhap/"):
        assert f'href="{url}"' in html, url
    assert "Cán bộ đăng nhập" in html
    assert 'name="ma"' in html
    assert 'name="bi-mat"' in html
