"""``/api/v1/reports/periodic``: scope, formats, closing a period."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import COMMUNE, OTHER_COMMUNE, PROVINCE, Staff, vn
from motcua.accounts.services import token_create
from motcua.dossiers import services as s

pytestmark = pytest.mark.django_db


def client(user) -> Client:  # type: ignore[no-untyped-def]
    token, _ = token_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def one_dossier(staff: Staff) -> None:
    d = s.dossier_submit(procedure_code="1.001022", receiving_unit_code=COMMUNE, channel="online",
                         applicant=s.Applicant(name="A"), actor=staff.desk, at=vn("2025-07-02 08:00"))
    s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2025-07-02 08:10"))


def test_a_commune_user_and_the_province_inspector_read_the_report(staff: Staff, one_dossier: None) -> None:
    for user, unit in ((staff.desk, COMMUNE), (staff.inspector, COMMUNE), (staff.inspector, PROVINCE)):
        response = client(user).get("/api/v1/reports/periodic", {"unit": unit, "from": "2025-07-01",
                                                                 "to": "2025-09-30"})
        assert response.status_code == 200, response.content
        assert response.json()["received"]["online"] == 1
        assert response.json()["unit"] == unit


def test_another_communes_officer_gets_404(staff: Staff, one_dossier: None) -> None:
    response = client(staff.other_desk).get("/api/v1/reports/periodic", {"unit": COMMUNE, "period": "2025-Q3"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_period_preset_and_bad_dates(staff: Staff, one_dossier: None) -> None:
    ok = client(staff.desk).get("/api/v1/reports/periodic", {"unit": COMMUNE, "period": "2025-Q3"})
    assert (ok.json()["from"], ok.json()["to"]) == ("2025-07-01", "2025-09-30")
    bad = client(staff.desk).get("/api/v1/reports/periodic", {"unit": COMMUNE, "period": "2025-Q9"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "period"
    backwards = client(staff.desk).get("/api/v1/reports/periodic", {"unit": COMMUNE, "from": "2025-09-30",
                                                                    "to": "2025-07-01"})
    assert backwards.status_code == 422
    assert backwards.json()["field"] == "from"


def test_closing_a_period_is_for_approvers(staff: Staff, one_dossier: None) -> None:
    body = {"unit": COMMUNE, "from": "2025-07-01", "to": "2025-09-30"}
    denied = client(staff.desk).post("/api/v1/reports/periodic/close", body, content_type="application/json")
    assert denied.status_code == 403
    closed = client(staff.approver).post("/api/v1/reports/periodic/close", body, content_type="application/json")
    assert closed.status_code == 201, closed.content
    assert closed.json()["figures"]["received"]["total"] == 1
    again = client(staff.approver).post("/api/v1/reports/periodic/close", body, content_type="application/json")
    assert again.status_code == 409
    other = client(staff.other_approver).get("/api/v1/reports/periodic", {"unit": OTHER_COMMUNE,
                                                                          "period": "2025-Q3"})
    assert "closed" not in other.json()
