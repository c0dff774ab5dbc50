"""Every action of rules §3 through ``POST /api/v1/dossiers/{id}/actions/<action>``: the happy paths, and the
refusals (wrong state → 409 naming the state and the allowed actions; wrong role → 403; another commune → 404)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from conftest import COMMUNE, Staff
from motcua.accounts.models import User
from motcua.api.tests.conftest import dossier_in
from motcua.domain.lifecycle import TRANSITIONS, Action, State, allowed_actions
from motcua.dossiers.models import Dossier, DossierEvent

Clients = Callable[[User], Client]
AT = "2026-03-10T09:00:00+07:00"  # after every step of dossier_in(), ≥ 1 working day before the due


@dataclass(frozen=True)
class Case:
    ready: str  # a state the action is allowed from
    actor: str  # a Staff attribute who may do it
    wrong_role: str  # a Staff attribute of the same commune who may not
    wrong_state: str  # a state the action is not allowed from
    body: dict[str, Any] = field(default_factory=dict)


CASES: dict[Action, Case] = {
    Action.REQUEST_INTAKE_SUPPLEMENT: Case("submitted", "desk", "approver", "received", {"reason": "thiếu"}),
    Action.SUPPLY_INTAKE_SUPPLEMENT: Case("intake_supplement", "desk", "approver", "submitted"),
    Action.ACCEPT: Case("submitted", "desk", "approver", "received"),
    Action.REFUSE: Case("submitted", "desk", "approver", "received", {"reason": "không đủ điều kiện"}),
    Action.RETURN_UNACCEPTED: Case("intake_supplement", "desk", "approver", "received",
                                   {"reason_code": "supplement_not_provided"}),
    Action.FORWARD: Case("received", "desk", "approver", "submitted", {"department": "TP-HT"}),
    Action.ASSIGN: Case("processing", "head", "desk", "received", {"assignee": "specialist"}),
    Action.REQUEST_SUPPLEMENT: Case("processing", "specialist", "approver", "received", {"reason": "thiếu"}),
    Action.SUPPLY_SUPPLEMENT: Case("supplement_requested", "desk", "approver", "processing"),
    Action.REQUEST_PAYMENT: Case("processing", "specialist", "desk", "received", {"amount": 15000}),
    Action.CONFIRM_PAYMENT: Case("awaiting_payment", "desk", "approver", "submitted",
                                 {"method": "cash", "amount": 15000}),
    Action.EXTEND: Case("processing", "approver", "desk", "received",
                        {"new_appointment": "2026-03-18T17:00:00+07:00", "reason": "xác minh"}),
    Action.PROPOSE: Case("processing", "specialist", "desk", "received", {"note": "đủ điều kiện"}),
    Action.APPROVE: Case("processing", "approver", "desk", "received"),
    Action.REJECT_PROPOSAL: Case("processing", "approver", "desk", "received", {"note": "xem lại"}),
    Action.RESOLVE: Case("processing", "clerk", "desk", "received", {"result_code": "KQ-1", "e_copy": True}),
    Action.DELIVER: Case("resolved", "desk", "approver", "processing", {"method": "postal"}),
    Action.STOP: Case("supplement_requested", "approver", "desk", "submitted", {"reason_code": "withdrawn"}),
    Action.CANCEL: Case("submitted", "admin", "desk", "refused", {"reason": "nhập trùng"}),
}
ACTIONS = [a for a in Action if a is not Action.SUBMIT]


def act(client: Client, dossier_id: int, action: Action | str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"/api/v1/dossiers/{dossier_id}/actions/{action}", body or {},
                       content_type="application/json")


def test_every_action_but_submit_has_a_case_and_a_route() -> None:
    # then
    assert set(CASES) == set(ACTIONS)


@pytest.mark.parametrize("action", ACTIONS, ids=str)
def test_action_works_from_an_allowed_state(staff: Staff, client_of: Clients, action: Action) -> None:
    # given
    case = CASES[action]
    dossier = dossier_in(staff, case.ready)
    # when
    response = act(client_of(getattr(staff, case.actor)), dossier.pk, action, {**case.body, "at": AT})
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == TRANSITIONS[action].target_from(State(case.ready))
    assert body["version"] == dossier.version + 1
    last = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first()
    assert last is not None
    assert last.action == action
    assert last.actor == getattr(staff, case.actor)


@pytest.mark.parametrize("action", ACTIONS, ids=str)
def test_action_from_a_wrong_state_is_409_naming_the_state_and_allowed_actions(
        staff: Staff, client_of: Clients, action: Action) -> None:
    # given
    case = CASES[action]
    dossier = dossier_in(staff, case.wrong_state)
    # when
    response = act(client_of(getattr(staff, case.actor)), dossier.pk, action, {**case.body, "at": AT})
    # then
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/action_not_allowed")
    assert (problem["field"], problem["value"]) == ("state", case.wrong_state)
    assert problem["allowed_actions"] == [a.value for a in allowed_actions(State(case.wrong_state))]
    assert f"'{case.wrong_state}'" in problem["detail"]
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


@pytest.mark.parametrize("action", ACTIONS, ids=str)
def test_action_by_a_wrong_role_is_403(staff: Staff, client_of: Clients, action: Action) -> None:
    # given
    case = CASES[action]
    dossier = dossier_in(staff, case.ready)
    # when
    response = act(client_of(getattr(staff, case.wrong_role)), dossier.pk, action, {**case.body, "at": AT})
    # then
    assert response.status_code == 403, response.content
    assert response.json()["type"].endswith("/forbidden")
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


@pytest.mark.parametrize("action", ACTIONS, ids=str)
def test_action_by_another_communes_user_is_404(staff: Staff, client_of: Clients, action: Action) -> None:
    # given
    case = CASES[action]
    dossier = dossier_in(staff, case.ready)
    outsider = staff.other_approver if case.actor == "approver" else staff.other_desk
    # when
    response = act(client_of(outsider), dossier.pk, action, {**case.body, "at": AT})
    # then
    assert response.status_code == 404
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


def test_a_dossier_goes_the_whole_way_through_the_api(staff: Staff, client_of: Clients) -> None:
    # given
    created = client_of(staff.desk).post("/api/v1/dossiers", {
        "procedure": "1.001022", "receiving_unit": COMMUNE, "channel": "direct",
        "applicant": {"name": "Nông Văn A", "id_number": "004090000123", "phone": "0912345678"},
        "components": [{"code": "TK", "digitized": True}, {"code": "CC"}],
        "submitted_at": "2026-03-09T08:00:00+07:00"}, content_type="application/json")
    assert created.status_code == 201, created.content
    dossier_id = created.json()["id"]
    steps: list[tuple[Action, User, dict[str, Any], str]] = [
        (Action.ACCEPT, staff.desk, {"at": "2026-03-09T09:00:00+07:00"}, "received"),
        (Action.FORWARD, staff.desk, {"at": "2026-03-09T09:10:00+07:00"}, "processing"),
        (Action.ASSIGN, staff.head, {"assignee": "specialist", "at": "2026-03-09T09:20:00+07:00"}, "processing"),
        (Action.REQUEST_SUPPLEMENT, staff.specialist, {"reason": "thiếu chứng cứ",
                                                       "at": "2026-03-10T09:00:00+07:00"}, "supplement_requested"),
        (Action.SUPPLY_SUPPLEMENT, staff.desk, {"at": "2026-03-11T09:00:00+07:00"}, "processing"),
        (Action.REQUEST_PAYMENT, staff.specialist, {"amount": 15000, "at": "2026-03-11T10:00:00+07:00"},
         "awaiting_payment"),
        (Action.CONFIRM_PAYMENT, staff.desk, {"method": "transfer", "amount": 15000, "reference": "FT123",
                                              "at": "2026-03-11T11:00:00+07:00"}, "processing"),
        (Action.EXTEND, staff.approver, {"new_appointment": "2026-03-18T17:00:00+07:00", "reason": "xác minh",
                                         "at": "2026-03-12T09:00:00+07:00"}, "processing"),
        (Action.PROPOSE, staff.specialist, {"note": "đủ điều kiện", "at": "2026-03-12T10:00:00+07:00"},
         "processing"),
        (Action.APPROVE, staff.approver, {"at": "2026-03-12T11:00:00+07:00"}, "processing"),
        (Action.RESOLVE, staff.approver, {"result_code": "KQ-1", "e_copy": True, "at": "2026-03-13T10:00:00+07:00"},
         "resolved"),
        (Action.DELIVER, staff.desk, {"method": "desk", "at": "2026-03-13T11:00:00+07:00"}, "delivered"),
    ]
    body: dict[str, Any] = created.json()
    for action, user, data, state in steps:
        # when
        response = act(client_of(user), dossier_id, action, {**data, "expected_version": body["version"]})
        # then
        assert response.status_code == 200, (action, response.content)
        body = response.json()
        assert body["state"] == state, action
    assert body["code"] == "000.31.00.H11-260309-0001"
    assert body["due_at"] == "2026-03-16T09:00:00+07:00"  # restarted by the supplement (rules §2.2)
    assert body["appointment_at"] == "2026-03-18T17:00:00+07:00"
    assert (body["timeliness"], body["extensions"], body["portal_status"]) == ("before_due", 1, 10)
    assert body["department"]["code"] == "TP-HT"
    assert body["assignee"]["username"] == "specialist"
    assert body["result"]["result_code"] == "KQ-1"
    assert body["result"]["e_copy"] is True
    assert [(p["method"], p["amount"]) for p in body["payments"]] == [("transfer", 15000)]
    assert body["allowed_actions"] == []
    events = client_of(staff.inspector).get(f"/api/v1/dossiers/{dossier_id}/events").json()
    assert [e["action"] for e in events] == ["submit", *[str(step[0]) for step in steps]]
    assert events[3] == {**events[3], "actor": "head", "actor_role": "department_head", "from_state": "processing"}


def test_intake_supplement_then_acceptance(staff: Staff, client_of: Clients) -> None:
    # given
    dossier = dossier_in(staff, "submitted")
    desk = client_of(staff.desk)
    # when
    asked = act(desk, dossier.pk, Action.REQUEST_INTAKE_SUPPLEMENT, {"reason": "thiếu tờ khai", "at": AT})
    supplied = act(desk, dossier.pk, Action.SUPPLY_INTAKE_SUPPLEMENT, {"at": "2026-03-11T09:00:00+07:00"})
    accepted = act(desk, dossier.pk, Action.ACCEPT, {"at": "2026-03-11T09:05:00+07:00"})
    # then
    assert [r.json()["state"] for r in (asked, supplied, accepted)] == ["intake_supplement", "submitted",
                                                                         "received"]
    assert asked.json()["portal_status"] == 1
    assert accepted.json()["due_at"] == "2026-03-16T09:05:00+07:00"


@pytest.mark.parametrize(("action", "state", "body", "portal", "field", "value"), [
    (Action.REFUSE, "submitted", {"reason": "không thuộc thẩm quyền"}, 3, None, None),
    (Action.RETURN_UNACCEPTED, "submitted", {"reason": "cannot_submit"}, 3, "return_reason", "cannot_submit"),
    (Action.STOP, "processing", {"reason_code": "withdrawn"}, 7, "stop_reason", "withdrawn"),
    (Action.STOP, "processing", {"reason_code": "not_eligible"}, 8, "stop_reason", "not_eligible"),
    (Action.CANCEL, "received", {"reason": "nhập trùng"}, None, None, None),
], ids=["refuse", "return", "stop-withdrawn", "stop", "cancel"])
def test_ending_actions_close_the_dossier(staff: Staff, client_of: Clients, action: Action, state: str,
                                          body: dict[str, Any], portal: int | None, field: str | None,
                                          value: str | None) -> None:
    # given
    dossier = dossier_in(staff, state)
    actor = {Action.STOP: staff.approver, Action.CANCEL: staff.admin}.get(action, staff.desk)
    # when
    response = act(client_of(actor), dossier.pk, action, {**body, "at": AT})
    # then
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["state"] == TRANSITIONS[action].target
    assert out["portal_status"] == portal
    assert out["closed_at"] is not None or out["state"] == "stopped"
    assert out["allowed_actions"] == []
    if field:
        assert out[field] == value


def test_missing_reason_is_422_naming_reason(staff: Staff, client_of: Clients) -> None:
    # given
    dossier = dossier_in(staff, "submitted")
    # when
    response = act(client_of(staff.desk), dossier.pk, Action.REFUSE, {"reason": "  "})
    # then
    assert response.status_code == 422
    assert response.json()["field"] == "reason"
    assert Dossier.objects.get(pk=dossier.pk).state == "submitted"


def test_bad_reason_code_is_422_naming_it_and_its_value(staff: Staff, client_of: Clients) -> None:
    # given
    dossier = dossier_in(staff, "processing")
    # when
    response = act(client_of(staff.approver), dossier.pk, Action.STOP, {"reason_code": "bored"})
    # then
    assert response.status_code == 422
    assert (response.json()["field"], response.json()["value"]) == ("reason_code", "bored")


def test_stale_expected_version_is_409(staff: Staff, client_of: Clients) -> None:
    # given
    dossier = dossier_in(staff, "received")
    # when
    response = act(client_of(staff.desk), dossier.pk, Action.FORWARD, {"expected_version": dossier.version - 1})
    # then
    assert response.status_code == 409
    assert response.json()["field"] == "expected_version"
    assert Dossier.objects.get(pk=dossier.pk).state == "received"


def test_extension_too_close_to_the_due_is_422_and_changes_nothing(staff: Staff, client_of: Clients) -> None:
    # given: accepted Mon 08:10, due Thu 12 Mar 08:10
    dossier = dossier_in(staff, "processing")
    # when
    response = act(client_of(staff.approver), dossier.pk, Action.EXTEND,
                   {"new_appointment": "2026-03-18T17:00:00+07:00", "at": "2026-03-11T15:00:00+07:00"})
    # then
    assert response.status_code == 422, response.content
    assert "working day" in response.json()["detail"]
    assert Dossier.objects.get(pk=dossier.pk).extensions == 0


def test_an_action_without_a_body_is_accepted(staff: Staff, client_of: Clients) -> None:
    # given
    dossier = dossier_in(staff, "received")
    # when
    response = client_of(staff.desk).generic("POST", f"/api/v1/dossiers/{dossier.pk}/actions/forward")
    # then
    assert response.status_code == 200, response.content
    assert response.json()["department"]["code"] == "TP-HT"


def test_unknown_body_field_is_422_naming_it(staff: Staff, client_of: Clients) -> None:
    # given
    dossier = dossier_in(staff, "received")
    # when
    response = act(client_of(staff.desk), dossier.pk, Action.FORWARD, {"departement": "TP-HT"})
    # then
    assert response.status_code == 422
    assert (response.json()["field"], response.json()["value"]) == ("departement", "TP-HT")


def test_an_unknown_payment_method_is_422_naming_method(staff: Staff, client_of: Clients) -> None:
    # given
    dossier = dossier_in(staff, "awaiting_payment")
    # when
    response = act(client_of(staff.desk), dossier.pk, Action.CONFIRM_PAYMENT,
                   {"method": "bitcoin", "amount": 15000, "at": AT})
    # then
    assert response.status_code == 422
    assert (response.json()["field"], response.json()["value"]) == ("method", "bitcoin")
