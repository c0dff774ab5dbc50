"""The dossier lifecycle (rules.md §3) and what moves the clock (rules.md §2.2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, time
from itertools import product
from typing import Any

import pytest

from motcua.domain.deadlines import DeadlineError, TimeLimit, Timeliness
from motcua.domain.lifecycle import (
    ACCEPTED_OPEN,
    ENDED_ACCEPTED,
    PORTAL_STATUS,
    TERMINAL,
    TRANSITIONS,
    Action,
    Decision,
    DossierSnapshot,
    ExtensionRefused,
    PayloadError,
    PermissionDenied,
    ProcedureRules,
    Role,
    State,
    TransitionError,
    actions_for,
    allowed_actions,
    apply,
    portal_status,
)

from .support import VN, VN_TZ, dt

S = State
A = Action

# The action table of rules.md §3, written out independently of the code: action -> (sources, target, roles).
# target None = same state. `admin` may do everything (our choice), so it is not listed here.
NON_TERMINAL = ("submitted", "intake_supplement", "received", "processing", "supplement_requested",
                "awaiting_payment", "resolved")  # fmt: skip
EXPECTED: dict[str, tuple[tuple[str | None, ...], str | None, tuple[str, ...]]] = {
    "submit": ((None,), "submitted", ("applicant", "desk_officer", "system")),
    "request_intake_supplement": (("submitted",), "intake_supplement", ("desk_officer", "system")),
    "supply_intake_supplement": (("intake_supplement",), "submitted", ("desk_officer", "system")),
    "accept": (("submitted",), "received", ("desk_officer", "system")),
    "refuse": (("submitted", "intake_supplement"), "refused", ("desk_officer", "system")),
    "return_unaccepted": (("submitted", "intake_supplement"), "returned", ("desk_officer", "system")),
    "forward": (("received",), "processing", ("desk_officer", "system")),
    "assign": (("processing",), None, ("department_head", "system")),
    "request_supplement": (
        ("processing",),
        "supplement_requested",
        ("specialist", "department_head", "desk_officer", "system"),
    ),
    "supply_supplement": (("supplement_requested",), "processing", ("desk_officer", "system")),
    "request_payment": (("processing",), "awaiting_payment", ("specialist", "system")),
    "confirm_payment": (("awaiting_payment",), "processing", ("desk_officer", "system")),
    "extend": (("processing", "supplement_requested", "awaiting_payment"), None, ("approver", "system")),
    "propose": (("processing",), None, ("specialist", "system")),
    "approve": (("processing",), None, ("approver", "system")),
    "reject_proposal": (("processing",), None, ("approver", "system")),
    "resolve": (("processing",), "resolved", ("approver", "clerk", "system")),
    "deliver": (("resolved",), "delivered", ("desk_officer", "system")),
    "stop": (
        ("received", "processing", "supplement_requested", "awaiting_payment"),
        "stopped",
        ("approver", "system"),
    ),
    "cancel": (NON_TERMINAL, "cancelled", ("system",)),
}
# confirm_payment also records a payment without changing state ("fees paid at intake").
PAYMENT_ONLY_FROM = ("received", "processing", "supplement_requested")

VALID_PAYLOAD: dict[str, dict[str, object]] = {
    "request_intake_supplement": {"reason": "thiếu bản sao giấy khai sinh"},
    "refuse": {"reason": "không thuộc thẩm quyền"},
    "return_unaccepted": {"reason_code": "cannot_submit"},
    "assign": {"assignee": "cb.tuphap"},
    "request_supplement": {"reason": "thiếu giấy tờ"},
    "request_payment": {"amount": 50000},
    "extend": {"new_appointment": "2026-03-30T17:00:00+07:00"},
    "resolve": {"result_code": "GKS-2026-001"},
    "deliver": {"method": "desk"},
    "stop": {"reason_code": "withdrawn"},
    "cancel": {"reason": "hồ sơ trùng"},
}

RULES = ProcedureRules(time_limit=TimeLimit.parse(3, "working_days"))
ALL_STATES: tuple[State | None, ...] = (None, *State)


def snapshot(state: State | None, **changes: Any) -> DossierSnapshot:
    """A dossier received Mon 2 March 2026 09:00, due Fri 20 March 17:00, last touched Thu 5 March."""
    base = DossierSnapshot(
        state=state,
        channel="direct",
        received_at=None if state in (None, S.SUBMITTED, S.INTAKE_SUPPLEMENT) else dt("2026-03-02T09:00"),
        due_at=None if state in (None, S.SUBMITTED, S.INTAKE_SUPPLEMENT) else dt("2026-03-20T17:00"),
        appointment_at=None if state in (None, S.SUBMITTED, S.INTAKE_SUPPLEMENT) else dt("2026-03-20T17:00"),
        awaiting_payment_since=dt("2026-03-05T10:00") if state is S.AWAITING_PAYMENT else None,
        last_event_at=None if state is None else dt("2026-03-05T10:00"),
    )
    return replace(base, **changes)


def act(
    state: State | None,
    action: Action,
    *,
    at: str = "2026-03-09T09:00",
    payload: Mapping[str, object] | None = None,
    roles: tuple[Role, ...] | None = (Role.ADMIN,),
    rules: ProcedureRules = RULES,
    **changes: Any,
) -> Decision:
    return apply(
        snapshot(state, **changes),
        action,
        at=dt(at),
        rules=rules,
        calendar=VN,
        payload=VALID_PAYLOAD.get(action, {}) if payload is None else payload,
        roles=roles,
    )


# -- the table -----------------------------------------------------------------------------------------------


def test_the_table_has_one_row_per_action() -> None:
    assert set(TRANSITIONS) == set(Action) == set(EXPECTED)


@pytest.mark.parametrize(("state", "action"), list(product(ALL_STATES, Action)))
def test_every_state_action_pair_follows_the_table(state: State | None, action: Action) -> None:
    sources, target, _ = EXPECTED[action]
    allowed = state in sources or (action is A.CONFIRM_PAYMENT and state in PAYMENT_ONLY_FROM)

    if allowed:
        decision = act(state, action)
        expected = (
            state
            if target is None or (state in PAYMENT_ONLY_FROM and action is A.CONFIRM_PAYMENT)
            else target
        )
        assert decision.to_state == expected
        assert decision.from_state == state
        assert decision.action is action
    else:
        with pytest.raises(TransitionError) as error:
            act(state, action)
        assert error.value.state == state
        assert error.value.action == action
        assert action not in error.value.allowed


@pytest.mark.parametrize(("action", "role"), list(product(Action, Role)))
def test_every_action_role_pair_follows_the_table(action: Action, role: Role) -> None:
    sources, _, roles = EXPECTED[action]
    state = None if sources == (None,) else State(sources[0])  # type: ignore[arg-type]

    if role in roles or role is Role.ADMIN:
        assert act(state, action, roles=(role,)).action is action
        assert action in actions_for(state, [role])
    else:
        with pytest.raises(PermissionDenied) as error:
            act(state, action, roles=(role,))
        assert error.value.action is action
        assert role not in error.value.allowed_roles
        assert action not in actions_for(state, [role])


def test_allowed_actions_in_action_order() -> None:
    assert allowed_actions(None) == (A.SUBMIT,)
    assert allowed_actions(S.RECEIVED) == (A.FORWARD, A.CONFIRM_PAYMENT, A.STOP, A.CANCEL)
    assert allowed_actions(S.RESOLVED) == (A.DELIVER, A.CANCEL)
    for state in TERMINAL:
        assert allowed_actions(state) == ()


def test_actions_for_roles() -> None:
    assert actions_for(S.PROCESSING, [Role.SPECIALIST]) == (
        A.REQUEST_SUPPLEMENT,
        A.REQUEST_PAYMENT,
        A.PROPOSE,
    )
    assert actions_for(S.PROCESSING, [Role.INSPECTOR]) == ()
    assert actions_for(S.PROCESSING, ["approver", "not-a-role"]) == (  # type: ignore[list-item]
        A.EXTEND,
        A.APPROVE,
        A.REJECT_PROPOSAL,
        A.RESOLVE,
        A.STOP,
    )
    assert actions_for(S.PROCESSING, [Role.ADMIN]) == allowed_actions(S.PROCESSING)


def test_state_groups() -> None:
    assert {S.DELIVERED, S.STOPPED, S.REFUSED, S.RETURNED, S.CANCELLED} == TERMINAL
    assert {S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.AWAITING_PAYMENT} == ACCEPTED_OPEN
    assert {S.RESOLVED, S.DELIVERED, S.STOPPED} == ENDED_ACCEPTED


@pytest.mark.parametrize(
    ("state", "reason", "code"),
    [
        (S.SUBMITTED, None, 1),
        (S.INTAKE_SUPPLEMENT, None, 1),
        (S.RECEIVED, None, 2),
        (S.REFUSED, None, 3),
        (S.RETURNED, None, 3),
        (S.PROCESSING, None, 4),
        (S.SUPPLEMENT_REQUESTED, None, 5),
        (S.AWAITING_PAYMENT, None, 6),
        (S.STOPPED, "withdrawn", 7),
        (S.STOPPED, "not_eligible", 8),
        (S.STOPPED, None, 8),
        (S.RESOLVED, None, 9),
        (S.DELIVERED, None, 10),
        (S.CANCELLED, None, None),
        (S.PROCESSING, "withdrawn", 4),
    ],
)
def test_portal_status(state: State, reason: str | None, code: int | None) -> None:
    assert portal_status(state, reason) == code
    assert set(PORTAL_STATUS) == set(State)


# -- errors --------------------------------------------------------------------------------------------------


def test_a_refused_action_names_the_state_and_the_allowed_actions() -> None:
    with pytest.raises(TransitionError) as error:
        act(S.RECEIVED, A.RESOLVE)

    assert str(error.value) == (
        "action 'resolve' is not allowed in state 'received'; allowed: forward, confirm_payment, stop, cancel"
    )
    assert error.value.allowed == (A.FORWARD, A.CONFIRM_PAYMENT, A.STOP, A.CANCEL)


def test_no_action_leaves_a_terminal_state() -> None:
    with pytest.raises(TransitionError, match=r"state 'delivered'; allowed: none"):
        act(S.DELIVERED, A.CANCEL)


def test_only_submit_starts_a_dossier() -> None:
    with pytest.raises(TransitionError, match="state '∅'; allowed: submit"):
        act(None, A.ACCEPT)


def test_an_unknown_action_is_refused() -> None:
    with pytest.raises(TransitionError, match="'archive'"):
        act(S.PROCESSING, "archive")  # type: ignore[arg-type]


def test_actions_may_be_given_as_strings() -> None:
    assert act(S.RECEIVED, "forward").to_state is S.PROCESSING  # type: ignore[arg-type]


def test_a_denied_role_names_the_action_and_the_roles_that_may() -> None:
    with pytest.raises(PermissionDenied) as error:
        act(S.PROCESSING, A.RESOLVE, roles=(Role.SPECIALIST, Role.DESK_OFFICER))

    assert str(error.value) == (
        "action 'resolve' may be performed only by: approver, clerk, admin, system "
        "(acting as: desk_officer, specialist)"
    )
    assert error.value.allowed_roles == (Role.APPROVER, Role.CLERK, Role.ADMIN, Role.SYSTEM)


def test_no_roles_at_all_is_denied_but_no_roles_argument_skips_the_check() -> None:
    with pytest.raises(PermissionDenied, match="acting as: no role"):
        act(S.PROCESSING, A.RESOLVE, roles=())
    assert act(S.PROCESSING, A.RESOLVE, roles=None).to_state is S.RESOLVED


def test_checks_run_in_order_state_role_time_payload() -> None:
    # wrong state and wrong role -> the state error
    with pytest.raises(TransitionError):
        act(S.RECEIVED, A.RESOLVE, roles=(Role.APPLICANT,), at="2026-01-01T09:00", payload={})
    # wrong role and time going backwards -> the role error
    with pytest.raises(PermissionDenied):
        act(S.PROCESSING, A.RESOLVE, roles=(Role.APPLICANT,), at="2026-01-01T09:00", payload={})
    # time going backwards and a missing field -> the time error
    with pytest.raises(PayloadError) as error:
        act(S.PROCESSING, A.RESOLVE, at="2026-01-01T09:00", payload={})
    assert error.value.field == "at"


def test_times_going_backwards_are_refused() -> None:
    with pytest.raises(PayloadError, match="times going backwards") as error:
        act(S.PROCESSING, A.PROPOSE, at="2026-03-05T09:59")

    assert error.value.field == "at"
    assert act(S.PROCESSING, A.PROPOSE, at="2026-03-05T10:00").at == dt("2026-03-05T10:00")


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(PayloadError, match="timezone-aware") as error:
        apply(snapshot(S.PROCESSING), A.PROPOSE, at=datetime(2026, 3, 9, 9), rules=RULES, calendar=VN)

    assert error.value.field == "at"


@pytest.mark.parametrize(
    ("action", "payload", "field"),
    [
        (A.REFUSE, {}, "reason"),
        (A.REFUSE, {"reason": "   "}, "reason"),
        (A.REFUSE, {"reason": None}, "reason"),
        (A.REFUSE, {"reason": 42}, "reason"),
        (A.CANCEL, {"reason": ""}, "reason"),
        (A.REQUEST_INTAKE_SUPPLEMENT, {}, "reason"),
        (A.RETURN_UNACCEPTED, {"reason_code": "withdrawn"}, "reason_code"),
        (A.RETURN_UNACCEPTED, {"reason": "no code"}, "reason_code"),
        (A.STOP, {"reason_code": "cannot_submit"}, "reason_code"),
        (A.STOP, {"reason_code": ["withdrawn"]}, "reason_code"),
        (A.DELIVER, {"method": "email"}, "method"),
        (A.DELIVER, {}, "method"),
        (A.RESOLVE, {}, "result_code"),
        (A.ASSIGN, {}, "assignee"),
        (A.ASSIGN, {"assignee": True}, "assignee"),
        (A.ASSIGN, {"assignee": ["a", "b"]}, "assignee"),
        (A.REQUEST_PAYMENT, {"amount": 0}, "amount"),
        (A.REQUEST_PAYMENT, {"amount": -5}, "amount"),
        (A.REQUEST_PAYMENT, {"amount": "12.5"}, "amount"),
        (A.REQUEST_PAYMENT, {"amount": "abc"}, "amount"),
        (A.REQUEST_PAYMENT, {"amount": True}, "amount"),
        (A.REQUEST_PAYMENT, {"amount": [1]}, "amount"),
        (A.EXTEND, {}, "new_appointment"),
        (A.EXTEND, {"new_appointment": "next week"}, "new_appointment"),
        (A.EXTEND, {"new_appointment": "2026-03-30T17:00"}, "new_appointment"),
        (A.EXTEND, {"new_appointment": 20260330}, "new_appointment"),
    ],
)
def test_invalid_payloads_are_refused_naming_the_field(
    action: Action, payload: dict[str, object], field: str
) -> None:
    state = State(EXPECTED[action][0][0])  # type: ignore[arg-type]

    with pytest.raises(PayloadError) as error:
        act(state, action, payload=payload)

    assert error.value.field == field
    assert field in str(error.value)
    assert isinstance(error.value, ValueError)


def test_payloads_are_normalized_and_read_only() -> None:
    decision = act(
        S.PROCESSING,
        A.REQUEST_PAYMENT,
        payload={"amount": " 150000 ", "note": "lệ phí"},
    )

    assert decision.payload == {"amount": 150000, "note": "lệ phí"}
    with pytest.raises(TypeError):
        decision.payload["amount"] = 1  # type: ignore[index]
    assert act(S.RESOLVED, A.DELIVER, payload={"method": " postal "}).payload["method"] == "postal"
    assert act(S.PROCESSING, A.ASSIGN, payload={"assignee": 17}).payload["assignee"] == 17


# -- effects -------------------------------------------------------------------------------------------------


def test_submit_starts_a_dossier_without_a_clock() -> None:
    decision = act(None, A.SUBMIT, roles=(Role.APPLICANT,))

    assert decision.to_state is S.SUBMITTED
    assert decision.due_at is None
    assert decision.received_at is None
    assert decision.calendar_version is None
    assert decision.portal_status == 1


def test_accept_computes_the_due_and_the_appointment() -> None:
    decision = act(S.SUBMITTED, A.ACCEPT, at="2026-03-09T09:00", roles=(Role.DESK_OFFICER,))

    assert decision.to_state is S.RECEIVED
    assert decision.received_at == dt("2026-03-09T09:00")
    assert decision.due_at == dt("2026-03-12T09:00")
    assert decision.appointment_at == decision.due_at
    assert decision.previous_due_at is None
    assert decision.calendar_version == VN.version
    assert decision.at.tzinfo == VN_TZ
    assert not decision.ends


def test_accept_during_tet_2026() -> None:
    decision = act(S.SUBMITTED, A.ACCEPT, at="2026-02-12T09:00", last_event_at=dt("2026-02-11T10:00"))

    assert decision.due_at == dt("2026-02-24T09:00")


def test_accept_uses_the_online_limit_for_online_dossiers() -> None:
    rules = ProcedureRules(
        time_limit=TimeLimit.parse(5, "working_days"),
        online_time_limit=TimeLimit.parse("0.5", "working_days"),
    )

    online = act(S.SUBMITTED, A.ACCEPT, rules=rules, channel="online")
    direct = act(S.SUBMITTED, A.ACCEPT, rules=rules, channel="direct")

    assert online.due_at == dt("2026-03-09T14:45")
    assert direct.due_at == dt("2026-03-16T09:00")


def test_accept_same_day_uses_the_procedure_cutoff() -> None:
    rules = ProcedureRules(time_limit=TimeLimit.parse(0, "same_day"), same_day_cutoff=time(16))

    assert act(S.SUBMITTED, A.ACCEPT, at="2026-03-09T15:30", rules=rules).due_at == dt("2026-03-09T17:00")
    assert act(S.SUBMITTED, A.ACCEPT, at="2026-03-09T16:30", rules=rules).due_at == dt("2026-03-10T17:00")


@pytest.mark.parametrize(
    ("at", "requests_so_far", "flags"),
    [
        ("2026-03-05T09:00", 0, ()),  # exactly 3 working days after receipt (Mon 2 March 09:00): not late
        ("2026-03-05T09:01", 0, ("late_supplement_request",)),
        ("2026-03-05T09:00", 1, ("repeat_supplement_request",)),
        ("2026-03-09T09:00", 2, ("late_supplement_request", "repeat_supplement_request")),
    ],
)
def test_supplement_requests_are_counted_and_flagged(
    at: str, requests_so_far: int, flags: tuple[str, ...]
) -> None:
    decision = act(
        S.PROCESSING, A.REQUEST_SUPPLEMENT, at=at, supplement_requests=requests_so_far, last_event_at=None
    )

    assert decision.to_state is S.SUPPLEMENT_REQUESTED
    assert decision.supplement_requests == requests_so_far + 1
    assert decision.flags == flags
    assert decision.due_at == dt("2026-03-20T17:00")  # unchanged until the supplement arrives


def test_a_supplement_restarts_the_clock_and_keeps_the_previous_due() -> None:
    decision = act(S.SUPPLEMENT_REQUESTED, A.SUPPLY_SUPPLEMENT, at="2026-03-09T09:00", extensions=1)

    assert decision.to_state is S.PROCESSING
    assert decision.previous_due_at == dt("2026-03-20T17:00")
    assert decision.due_at == dt("2026-03-12T09:00")  # the full 3 working days from the supplement
    assert decision.appointment_at == decision.due_at
    assert decision.calendar_version == VN.version
    assert decision.received_at == dt("2026-03-02T09:00")  # receipt is not changed
    assert decision.extensions == 1


def test_an_extension_moves_the_appointment_not_the_due() -> None:
    decision = act(S.PROCESSING, A.EXTEND, payload={"new_appointment": dt("2026-03-27T17:00")})

    assert decision.to_state is S.PROCESSING
    assert decision.due_at == dt("2026-03-20T17:00")
    assert decision.appointment_at == dt("2026-03-27T17:00")
    assert decision.extensions == 1
    assert decision.previous_due_at is None


@pytest.mark.parametrize(
    ("at", "changes", "payload", "message"),
    [
        (
            "2026-03-09T09:00",
            {"extensions": 1},
            {"new_appointment": "2026-03-27T17:00+07:00"},
            "at most once",
        ),
        ("2026-03-20T08:00", {}, {"new_appointment": "2026-03-27T17:00+07:00"}, "at least 1 working day"),
        ("2026-03-09T09:00", {}, {"new_appointment": "2026-03-20T17:00+07:00"}, "later than the due"),
        ("2026-03-09T09:00", {"due_at": None}, {"new_appointment": "2026-03-27T17:00+07:00"}, "no due date"),
    ],
)
def test_an_extension_is_refused(
    at: str, changes: dict[str, Any], payload: dict[str, object], message: str
) -> None:
    with pytest.raises(ExtensionRefused, match=message) as error:
        act(S.PROCESSING, A.EXTEND, at=at, payload=payload, **changes)

    assert isinstance(error.value, DeadlineError)
    assert isinstance(error.value, PayloadError)
    assert error.value.field in {"extensions", "at", "new_appointment", "due_at"}


def test_waiting_for_payment_without_pause_keeps_the_due() -> None:
    requested = act(S.PROCESSING, A.REQUEST_PAYMENT, at="2026-03-09T09:00")
    confirmed = act(
        S.AWAITING_PAYMENT, A.CONFIRM_PAYMENT, at="2026-03-11T09:00", awaiting_payment_since=requested.at
    )

    assert requested.to_state is S.AWAITING_PAYMENT
    assert requested.awaiting_payment_since == dt("2026-03-09T09:00")
    assert confirmed.to_state is S.PROCESSING
    assert confirmed.awaiting_payment_since is None
    assert confirmed.due_at == dt("2026-03-20T17:00")
    assert confirmed.previous_due_at is None
    assert not confirmed.payment_only


PAUSE = ProcedureRules(time_limit=TimeLimit.parse(10, "working_days"), pause_for_payment=True)


def test_pause_for_payment_adds_the_time_spent_waiting() -> None:
    decision = act(
        S.AWAITING_PAYMENT,
        A.CONFIRM_PAYMENT,
        at="2026-03-11T09:00",
        rules=PAUSE,
        awaiting_payment_since=dt("2026-03-09T09:00"),
        last_event_at=dt("2026-03-09T09:00"),
    )

    # two working days spent waiting: Fri 20 March 17:00 -> Tue 24 March 17:00
    assert decision.due_at == dt("2026-03-24T17:00")
    assert decision.previous_due_at == dt("2026-03-20T17:00")
    assert decision.appointment_at == dt("2026-03-24T17:00")
    assert decision.calendar_version == VN.version


def test_pause_for_payment_keeps_an_appointment_set_by_an_extension() -> None:
    decision = act(
        S.AWAITING_PAYMENT,
        A.CONFIRM_PAYMENT,
        at="2026-03-11T09:00",
        rules=PAUSE,
        awaiting_payment_since=dt("2026-03-09T09:00"),
        last_event_at=dt("2026-03-09T09:00"),
        extensions=1,
        appointment_at=dt("2026-03-27T17:00"),
    )

    assert decision.due_at == dt("2026-03-24T17:00")
    assert decision.appointment_at == dt("2026-03-27T17:00")


def test_pause_for_payment_without_working_time_waited_changes_nothing() -> None:
    decision = act(
        S.AWAITING_PAYMENT,
        A.CONFIRM_PAYMENT,
        at="2026-03-08T09:00",  # Sunday
        rules=PAUSE,
        awaiting_payment_since=dt("2026-03-07T09:00"),  # Saturday
        last_event_at=dt("2026-03-07T09:00"),
    )

    assert decision.due_at == dt("2026-03-20T17:00")
    assert decision.previous_due_at is None


@pytest.mark.parametrize("state", [S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED])
def test_fees_paid_outside_a_payment_request_are_recorded_without_a_state_change(state: State) -> None:
    decision = act(state, A.CONFIRM_PAYMENT, rules=PAUSE, payload={"amount": 50000, "channel": "gateway"})

    assert decision.to_state is state
    assert decision.payment_only
    assert not decision.changes_state
    assert decision.due_at == dt("2026-03-20T17:00")
    assert decision.payload["channel"] == "gateway"


@pytest.mark.parametrize(
    ("at", "timeliness"),
    [
        ("2026-03-19T09:00", Timeliness.BEFORE_DUE),
        ("2026-03-20T16:00", Timeliness.ON_TIME),
        ("2026-03-23T09:00", Timeliness.OVERDUE),
    ],
)
def test_resolving_ends_the_dossier_and_classifies_it(at: str, timeliness: Timeliness) -> None:
    decision = act(S.PROCESSING, A.RESOLVE, at=at)

    assert decision.ends
    assert decision.timeliness is timeliness
    assert decision.portal_status == 9


def test_stopping_ends_the_dossier_and_a_withdrawal_is_portal_status_7() -> None:
    withdrawn = act(S.AWAITING_PAYMENT, A.STOP, payload={"reason_code": "withdrawn"})
    not_eligible = act(S.RECEIVED, A.STOP, payload={"reason_code": "not_eligible"})

    assert withdrawn.ends
    assert not_eligible.ends
    assert withdrawn.portal_status == 7
    assert not_eligible.portal_status == 8
    assert withdrawn.awaiting_payment_since is None
    assert withdrawn.timeliness is Timeliness.BEFORE_DUE


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (S.RESOLVED, A.DELIVER),
        (S.RESOLVED, A.CANCEL),
        (S.SUBMITTED, A.REFUSE),
        (S.INTAKE_SUPPLEMENT, A.RETURN_UNACCEPTED),
        (S.PROCESSING, A.EXTEND),
    ],
)
def test_other_actions_do_not_end_the_dossier(state: State, action: Action) -> None:
    decision = act(state, action)

    assert not decision.ends
    assert decision.timeliness is None


def test_cancel_is_admin_only_among_people_and_works_after_a_result() -> None:
    decision = act(S.RESOLVED, A.CANCEL, roles=(Role.ADMIN,))

    assert decision.to_state is S.CANCELLED
    assert decision.portal_status is None
    with pytest.raises(PermissionDenied):
        act(S.RESOLVED, A.CANCEL, roles=(Role.DESK_OFFICER, Role.APPROVER))


def test_apply_never_changes_its_input() -> None:
    before = snapshot(S.SUPPLEMENT_REQUESTED)

    apply(before, A.SUPPLY_SUPPLEMENT, at=dt("2026-03-09T09:00"), rules=RULES, calendar=VN)

    assert before == snapshot(S.SUPPLEMENT_REQUESTED)


def test_snapshot_state_strings_are_read_as_states() -> None:
    assert DossierSnapshot(state="processing", channel="direct").state is S.PROCESSING  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="archived"):
        DossierSnapshot(state="archived", channel="direct")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="negative"):
        DossierSnapshot(state=None, channel="direct", extensions=-1)
