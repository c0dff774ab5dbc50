"""``/api/v1/dossiers``: lodging, lists with filters and scope, one dossier, its timeline, personal data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from conftest import COMMUNE, OTHER_COMMUNE, Staff, vn
from motcua.accounts.models import User
from motcua.api.tests.conftest import ID_NUMBER, PHONE, dossier_in, submit
from motcua.core.errors import Conflict
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import dossier_timeliness

Clients = Callable[[User], Client]
MASKED_ID = "*********123"
MASKED_PHONE = "*******678"


def new_dossier(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "procedure": "1.001022", "receiving_unit": COMMUNE, "channel": "direct",
        "applicant": {"name": "Nông Văn A", "id_number": ID_NUMBER, "phone": PHONE, "email": "a@example.vn",
                      "address": "Đông Khê, Cao Bằng"},
        "components": [{"code": "TK", "digitized": True}, {"code": "CC"}],
        "submitted_at": "2026-03-09T09:00:00+07:00",
    }
    data.update(changes)
    return data


def post(client: Client, data: dict[str, Any], **headers: str) -> Any:
    return client.post("/api/v1/dossiers", data, content_type="application/json", **headers)


# -- POST /dossiers ---------------------------------------------------------------------------------------------


def test_lodging_a_dossier_returns_201_with_the_dossier(staff: Staff, client_of: Clients) -> None:
    # when
    response = post(client_of(staff.desk), new_dossier())
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"/api/v1/dossiers/{body['id']}"
    assert (body["state"], body["code"], body["portal_status"]) == ("submitted", None, 1)
    assert body["procedure"] == {"code": "1.001022", "name": "Thủ tục đăng ký nhận cha, mẹ, con", "version": 1}
    assert body["applicant"]["id_number"] == ID_NUMBER  # the desk officer works on it
    assert [c["code"] for c in body["components"]] == ["TK", "CC"]
    assert body["fee_total"] == 15000
    assert body["submitted_at"] == "2026-03-09T09:00:00+07:00"
    assert body["allowed_actions"] == ["request_intake_supplement", "accept", "refuse", "return_unaccepted"]


def test_lodging_with_accept_issues_the_code_and_due_date(staff: Staff, client_of: Clients) -> None:
    # when
    response = post(client_of(staff.desk), new_dossier(accept=True))
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["code"]) == ("received", "000.31.00.H11-260309-0001")
    assert body["due_at"] == "2026-03-12T09:00:00+07:00"
    assert [e.action for e in DossierEvent.objects.filter(dossier_id=body["id"])] == ["submit", "accept"]


def test_a_failed_acceptance_leaves_nothing(staff: Staff, client_of: Clients,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    def refuse(**kwargs: Any) -> Dossier:
        raise Conflict("the day's counter is busy")

    monkeypatch.setattr("motcua.api.dossiers.dossier_accept", refuse)
    # when
    response = post(client_of(staff.desk), new_dossier(accept=True))
    # then
    assert response.status_code == 409
    assert Dossier.objects.count() == 0
    assert DossierEvent.objects.count() == 0


@pytest.mark.parametrize(("change", "field", "value"), [
    ({"channel": "fax"}, "channel", "fax"),
    ({"applicant": {"id_number": ID_NUMBER}}, "applicant.name", None),
    ({"procedure": "9.999999"}, "procedure", "9.999999"),
    ({"receiving_unit": "000.99.00.H11"}, "receiving_unit", "000.99.00.H11"),
    ({"components": [{"code": "TK"}, {"code": "XX"}]}, "components[1].code", "XX"),
    ({"components": [{"code": "TK", "digitised": True}]}, "components[0].digitised", True),
    ({"submitted_at": "2026-03-09T09:00:00"}, "submitted_at", "2026-03-09T09:00:00"),
    ({"applicant": {"name": "A", "id_number": "0040900001"}}, "applicant.id_number", "*******001"),
    ({"applicant": {"name": "A", "phone": "09123456789012345678901"}}, "applicant.phone",
     "********************901"),
], ids=["channel", "name", "procedure", "unit", "component", "extra", "naive-time", "id-number", "phone"])
def test_an_invalid_dossier_is_422_naming_the_field_and_value(staff: Staff, client_of: Clients,
                                                              change: dict[str, Any], field: str,
                                                              value: Any) -> None:
    # when
    response = post(client_of(staff.desk), new_dossier(**change))
    # then
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["field"], problem["value"]) == (field, value)
    assert field in problem["detail"]
    assert ID_NUMBER not in response.content.decode()
    assert "0040900001" not in response.content.decode()
    assert Dossier.objects.count() == 0


def test_a_body_that_is_not_json_is_a_400_problem(staff: Staff, client_of: Clients) -> None:
    # when
    response = client_of(staff.desk).post("/api/v1/dossiers", "{not json", content_type="application/json")
    # then
    assert response.status_code == 400
    assert response.json()["type"].endswith("/bad_request")


def test_another_communes_desk_cannot_lodge_here(staff: Staff, client_of: Clients) -> None:
    # when
    response = post(client_of(staff.other_desk), new_dossier())
    # then
    assert response.status_code == 403
    assert Dossier.objects.count() == 0


# -- GET /dossiers ----------------------------------------------------------------------------------------------


def test_the_list_masks_id_and_phone_numbers_even_for_the_desk(staff: Staff, client_of: Clients) -> None:
    # given
    dossier_in(staff, "received")
    # when
    response = client_of(staff.desk).get("/api/v1/dossiers")
    # then
    assert response.status_code == 200
    page = response.json()
    assert (page["count"], page["limit"], page["offset"]) == (1, 50, 0)
    applicant = page["items"][0]["applicant"]
    assert (applicant["id_number"], applicant["phone"]) == (MASKED_ID, MASKED_PHONE)
    assert page["items"][0]["allowed_actions"] == ["forward", "confirm_payment"]
    assert ID_NUMBER not in response.content.decode()


def test_the_list_is_scoped_to_the_users_units(staff: Staff, client_of: Clients) -> None:
    # given
    dossier_in(staff, "submitted")
    # when
    outsider = client_of(staff.other_desk).get("/api/v1/dossiers").json()
    inspector = client_of(staff.inspector).get("/api/v1/dossiers").json()
    # then
    assert outsider["count"] == 0
    assert inspector["count"] == 1
    assert inspector["items"][0]["allowed_actions"] == []


def test_the_list_is_paginated(staff: Staff, client_of: Clients) -> None:
    # given
    ids = [submit(staff, at=vn("2026-03-09 08:00") + timedelta(minutes=i)).pk for i in range(5)]
    # when
    page = client_of(staff.desk).get("/api/v1/dossiers?limit=2&offset=1").json()
    # then
    assert page["count"] == 5
    assert [d["id"] for d in page["items"]] == [ids[3], ids[2]]


def test_the_list_filters(staff: Staff, client_of: Clients) -> None:
    # given
    received = dossier_in(staff, "received")
    submitted = dossier_in(staff, "submitted")
    land = s.dossier_submit(procedure_code="1.013949", receiving_unit_code=COMMUNE, channel="online",
                            applicant=s.Applicant(name="Hoàng Văn C", id_number="004090000999"),
                            actor=staff.desk, at=vn("2026-03-10 08:00"))
    client = client_of(staff.desk)

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/dossiers?{query}")
        assert response.status_code == 200, response.content
        return sorted(d["id"] for d in response.json()["items"])

    # then
    assert ids("state=received") == [received.pk]
    assert ids("sector=DD") == [land.pk]
    assert ids("procedure=1.001022") == sorted([received.pk, submitted.pk])
    assert ids("channel=online") == [land.pk]
    assert ids(f"code={received.code}") == [received.pk]
    assert ids(f"q={received.code}") == [received.pk]
    assert ids("q=004090000999") == [land.pk]
    assert ids("q=0040900009") == []  # ID numbers match only exactly
    assert ids("q=Hoàng") == [land.pk]
    assert ids(f"unit={COMMUNE}") == sorted([received.pk, submitted.pk, land.pk])
    assert ids("unit=000.00.00.H11") == sorted([received.pk, submitted.pk, land.pk])
    assert ids(f"unit={OTHER_COMMUNE}") == []
    assert ids("received_from=2026-03-09&received_to=2026-03-09") == [received.pk]
    assert ids("received_from=2026-03-10") == []


@pytest.mark.parametrize(("query", "field", "value"), [
    ("state=lost", "state", "lost"), ("limit=0", "limit", "0"), ("received_from=yesterday", "received_from",
                                                                  "yesterday"),
    ("channel=fax", "channel", "fax"),
])
def test_a_bad_list_filter_is_422_naming_the_parameter(staff: Staff, client_of: Clients, query: str,
                                                       field: str, value: str) -> None:
    # when
    response = client_of(staff.desk).get(f"/api/v1/dossiers?{query}")
    # then
    assert response.status_code == 422
    assert (response.json()["field"], response.json()["value"]) == (field, value)


# -- GET /dossiers/{id} -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "full"), [("desk", True), ("specialist", True), ("head", True),
                                           ("approver", True), ("clerk", True), ("inspector", False),
                                           ("admin", False), ("land_specialist", False)])
def test_the_detail_shows_personal_data_only_to_those_who_work_on_it(staff: Staff, client_of: Clients,
                                                                     who: str, full: bool) -> None:
    # given: forwarded to the civil-status department (TP-HT); land_specialist works in another one
    dossier = dossier_in(staff, "processing")
    # when
    response = client_of(getattr(staff, who)).get(f"/api/v1/dossiers/{dossier.pk}")
    # then
    assert response.status_code == 200
    applicant = response.json()["applicant"]
    expected = (ID_NUMBER, PHONE) if full else (MASKED_ID, MASKED_PHONE)
    assert (applicant["id_number"], applicant["phone"]) == expected


def test_the_detail_of_another_communes_dossier_is_404(staff: Staff, client_of: Clients) -> None:
    # given
    dossier = dossier_in(staff, "received")
    # when
    by_id = client_of(staff.other_desk).get(f"/api/v1/dossiers/{dossier.pk}")
    by_code = client_of(staff.other_desk).get(f"/api/v1/dossiers/by-code/{dossier.code}")
    events = client_of(staff.other_desk).get(f"/api/v1/dossiers/{dossier.pk}/events")
    # then
    assert (by_id.status_code, by_code.status_code, events.status_code) == (404, 404, 404)
    assert by_id["Content-Type"] == "application/problem+json"


def test_a_dossier_is_found_by_its_code(staff: Staff, client_of: Clients) -> None:
    # given
    dossier = dossier_in(staff, "received")
    # when
    response = client_of(staff.desk).get(f"/api/v1/dossiers/by-code/{dossier.code}")
    # then
    assert response.status_code == 200
    assert response.json()["id"] == dossier.pk


def test_an_unknown_dossier_is_404(staff: Staff, client_of: Clients) -> None:
    # when
    response = client_of(staff.desk).get("/api/v1/dossiers/999999")
    # then
    assert response.status_code == 404
    assert response.json()["title"] == "not found"


def test_an_open_dossier_shows_its_timeliness_now(staff: Staff, client_of: Clients) -> None:
    # given: accepted in 2020, still open
    dossier = s.dossier_submit(procedure_code="1.001022", receiving_unit_code=COMMUNE, channel="direct",
                               applicant=s.Applicant(name="A"), actor=staff.desk, at=vn("2020-06-01 08:00"))
    s.dossier_accept(dossier_id=dossier.pk, actor=staff.desk, at=vn("2020-06-01 09:00"))
    # when
    body = client_of(staff.desk).get(f"/api/v1/dossiers/{dossier.pk}").json()
    # then
    assert body["timeliness"] == "overdue"
    dossier.refresh_from_db()
    assert dossier_timeliness(dossier=dossier, at=vn("2020-06-04 16:00")) == "within_due"


def test_the_timeline_lists_every_event(staff: Staff, client_of: Clients) -> None:
    # given
    dossier = dossier_in(staff, "processing")
    # when
    response = client_of(staff.inspector).get(f"/api/v1/dossiers/{dossier.pk}/events")
    # then
    assert response.status_code == 200
    events = response.json()
    assert [(e["seq"], e["action"], e["from_state"], e["to_state"]) for e in events] == [
        (1, "submit", None, "submitted"), (2, "accept", "submitted", "received"),
        (3, "forward", "received", "processing")]
    assert events[1]["at"] == "2026-03-09T08:10:00+07:00"
    assert (events[1]["actor"], events[1]["actor_role"]) == ("desk", "desk_officer")
    assert events[1]["payload"]["code"] == dossier.code
    assert events[2]["payload"]["department"] == "TP-HT"


def test_a_list_page_takes_a_constant_number_of_queries(staff: Staff, client_of: Clients,
                                                        django_assert_max_num_queries: Any) -> None:
    # given
    for i in range(12):
        s.dossier_accept(dossier_id=submit(staff, at=vn("2026-03-09 08:00") + timedelta(minutes=i)).pk,
                         actor=staff.desk, at=vn("2026-03-09 09:00") + timedelta(minutes=i))
    client = client_of(staff.desk)
    client.get("/api/v1/units")  # the token's first use is recorded once
    # when / then
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/dossiers")
    assert response.json()["count"] == 12
