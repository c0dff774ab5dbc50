"""The dossier services (rules §3): each action, refused from a wrong state, by a wrong role or unit."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from conftest import COMMUNE, OTHER_COMMUNE, Staff, vn
from motcua.core.errors import Conflict, FieldError, Forbidden, StateError
from motcua.dossiers import services as s
from motcua.dossiers.models import DailySequence, Dossier, DossierEvent, DossierResult, Payment

pytestmark = pytest.mark.django_db


def submit(
    staff: Staff,
    *,
    procedure: str = "1.001022",
    at: str = "2026-03-09 08:00",
    channel: str = "direct",
    unit: str = COMMUNE,
    **kwargs: object,
) -> Dossier:
    return s.dossier_submit(
        procedure_code=procedure,
        receiving_unit_code=unit,
        channel=channel,
        applicant=s.Applicant(name="Nông Văn A", id_number="004090000123", phone="0912345678"),
        actor=staff.desk if unit == COMMUNE else staff.other_desk,
        components=[s.ComponentIn(code="TK", digitized=True)] if procedure == "1.001022" else [],
        at=vn(at),
        **kwargs,
    )  # type: ignore[arg-type]


def processing(staff: Staff, *, accepted: str = "2026-03-09 09:00", procedure: str = "1.001022") -> Dossier:
    d = submit(staff, procedure=procedure)
    d = s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn(accepted))
    return s.dossier_forward(dossier_id=d.pk, actor=staff.desk, at=vn(accepted) + timedelta(minutes=5))


# --- submit and intake ------------------------------------------------------------------------------------------


def test_submit_snapshots_the_procedure_version_and_writes_one_event(staff: Staff) -> None:
    # given / when
    d = submit(staff)
    # then
    assert d.state == "submitted"
    assert d.code is None
    assert d.procedure_version.number == 1
    assert d.fee_total == 15000
    assert len(d.secret) == 8
    event = DossierEvent.objects.get(dossier=d)
    assert (event.seq, event.action, event.from_state, event.to_state) == (1, "submit", "", "submitted")
    assert event.actor == staff.desk
    assert event.actor_role == "desk_officer"


def test_a_later_catalogue_change_does_not_change_a_dossiers_version(staff: Staff) -> None:
    from copy import deepcopy

    from conftest import CATALOGUE
    from motcua.catalogue.services import catalogue_import

    d = submit(staff)
    changed = deepcopy(CATALOGUE)
    changed["procedures"][0]["time_limit"] = {"value": 5, "unit": "working_days"}  # type: ignore[index]
    catalogue_import(data=changed)
    d = s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))
    assert d.procedure_version.number == 1
    assert d.due_at == vn("2026-03-12 09:00")  # 3 working days, the version it was received under
    newer = submit(staff)
    assert newer.procedure_version.number == 2


@pytest.mark.parametrize(
    ("field", "kwargs", "value"),
    [
        ("procedure", {"procedure": "9.999999"}, "9.999999"),
        ("channel", {"channel": "fax"}, "fax"),
        ("receiving_unit", {"unit": "nope"}, "nope"),
    ],
)
def test_submit_names_the_bad_field_and_writes_nothing(
    staff: Staff, field: str, kwargs: dict[str, str], value: str
) -> None:
    with pytest.raises(FieldError) as err:
        submit(staff, **kwargs)  # type: ignore[arg-type]
    assert err.value.field == field
    assert err.value.value == value
    assert Dossier.objects.count() == 0
    assert DossierEvent.objects.count() == 0


def test_submit_refuses_an_unknown_component_and_masks_personal_data_in_errors(staff: Staff) -> None:
    with pytest.raises(FieldError) as err:
        s.dossier_submit(
            procedure_code="1.001022",
            receiving_unit_code=COMMUNE,
            channel="direct",
            applicant=s.Applicant(name="A"),
            actor=staff.desk,
            components=[s.ComponentIn(code="XX")],
        )
    assert err.value.field == "components[0].code"
    with pytest.raises(FieldError) as err:
        s.dossier_submit(
            procedure_code="1.001022",
            receiving_unit_code=COMMUNE,
            channel="direct",
            applicant=s.Applicant(name="A", id_number="0040900001234"),
            actor=staff.desk,
        )
    assert err.value.field == "applicant.id_number"
    assert "004090000" not in str(err.value)


def test_submit_with_the_same_external_ref_twice_is_a_conflict(staff: Staff) -> None:
    submit(staff, external_ref="portal:1")
    with pytest.raises(Conflict):
        submit(staff, external_ref="portal:1")
    assert Dossier.objects.count() == 1


def test_intake_supplement_then_accept(staff: Staff) -> None:
    d = submit(staff)
    d = s.dossier_request_intake_supplement(
        dossier_id=d.pk, actor=staff.desk, reason="thiếu tờ khai", at=vn("2026-03-09 08:10")
    )
    assert d.state == "intake_supplement"
    assert d.due_at is None
    d = s.dossier_supply_intake_supplement(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-10 08:00"))
    d = s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-10 08:05"))
    assert d.state == "received"
    assert d.code == "000.31.00.H11-260310-0001"


@pytest.mark.parametrize(
    "reason_code", ["supplement_not_provided", "cannot_submit", "other_procedure_required"]
)
def test_return_unaccepted_stores_the_reason_code(staff: Staff, reason_code: str) -> None:
    d = submit(staff)
    d = s.dossier_return_unaccepted(
        dossier_id=d.pk, actor=staff.desk, reason_code=reason_code, at=vn("2026-03-09 08:30")
    )
    assert (d.state, d.return_reason) == ("returned", reason_code)
    assert d.closed_at == vn("2026-03-09 08:30")
    assert d.received_at is None


def test_return_with_an_unknown_reason_code_is_refused(staff: Staff) -> None:
    d = submit(staff)
    with pytest.raises(FieldError) as err:
        s.dossier_return_unaccepted(
            dossier_id=d.pk, actor=staff.desk, reason_code="lazy", at=vn("2026-03-09 08:30")
        )
    assert err.value.field == "reason_code"
    d.refresh_from_db()
    assert d.state == "submitted"


def test_refuse_needs_a_reason(staff: Staff) -> None:
    d = submit(staff)
    with pytest.raises(FieldError) as err:
        s.dossier_refuse(dossier_id=d.pk, actor=staff.desk, reason="", at=vn("2026-03-09 08:30"))
    assert err.value.field == "reason"
    d = s.dossier_refuse(
        dossier_id=d.pk, actor=staff.desk, reason="không thuộc thẩm quyền", at=vn("2026-03-09 08:30")
    )
    assert d.state == "refused"


# --- processing --------------------------------------------------------------------------------------------------


def test_accept_issues_code_due_and_calendar_version(staff: Staff) -> None:
    d = submit(staff)
    d = s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 18:00"))
    assert d.code == "000.31.00.H11-260309-0001"
    assert d.received_at == vn("2026-03-09 18:00")
    assert d.due_at == vn("2026-03-12 17:00")  # rules §2.1: after hours starts Tue 07:30
    assert d.appointment_at == d.due_at
    assert d.calendar_version
    event = d.events.get(action="accept")
    assert event.payload["code"] == d.code
    assert event.payload["due_at"] == "2026-03-12T17:00:00+07:00"


def test_online_channel_uses_the_online_time_limit(staff: Staff) -> None:
    direct = submit(staff, procedure="2.000815")
    online = submit(staff, procedure="2.000815", channel="online")
    direct = s.dossier_accept(dossier_id=direct.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))
    online = s.dossier_accept(dossier_id=online.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))
    assert direct.due_at == vn("2026-03-09 15:00")  # 4 working hours: 09:00-11:30 + 13:30-15:00
    assert online.due_at == vn("2026-03-10 09:00")  # 1 working day


def test_forward_routes_by_sector_to_the_department(staff: Staff) -> None:
    d = processing(staff, procedure="1.012784")
    assert d.department is not None
    assert d.department.code == "DC"


def test_assign_needs_a_specialist_of_the_unit(staff: Staff) -> None:
    d = processing(staff)
    with pytest.raises(FieldError) as err:
        s.dossier_assign(dossier_id=d.pk, actor=staff.head, assignee="other_desk", at=vn("2026-03-09 10:00"))
    assert err.value.field == "assignee"
    d = s.dossier_assign(dossier_id=d.pk, actor=staff.head, assignee="specialist", at=vn("2026-03-09 10:00"))
    assert d.assignee == staff.specialist


def test_supplement_restarts_the_clock_and_keeps_the_earlier_due(staff: Staff) -> None:
    d = processing(staff)
    d = s.dossier_request_supplement(
        dossier_id=d.pk, actor=staff.specialist, reason="thiếu chứng cứ", at=vn("2026-03-10 09:00")
    )
    assert d.state == "supplement_requested"
    d = s.dossier_supply_supplement(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-13 10:00"))
    assert d.state == "processing"
    assert d.due_at == vn("2026-03-18 10:00")
    event = d.events.get(action="supply_supplement")
    assert event.payload["previous_due_at"] == "2026-03-12T09:00:00+07:00"
    assert event.payload["due_at"] == "2026-03-18T10:00:00+07:00"


def test_a_second_supplement_request_is_flagged(staff: Staff) -> None:
    d = processing(staff)
    for day in ("10", "12"):
        d = s.dossier_request_supplement(
            dossier_id=d.pk, actor=staff.specialist, reason="x", at=vn(f"2026-03-{day} 09:00")
        )
        d = s.dossier_supply_supplement(dossier_id=d.pk, actor=staff.desk, at=vn(f"2026-03-{day} 10:00"))
    assert "repeat_supplement_request" in d.flags
    assert d.supplement_requests == 2


def test_payment_pause_adds_the_waiting_time_to_the_due(staff: Staff) -> None:
    d = processing(staff, procedure="1.012784")  # 12 working days, pause_for_payment
    due = d.due_at
    d = s.dossier_request_payment(
        dossier_id=d.pk, actor=staff.land_specialist, amount=100000, at=vn("2026-03-10 09:00")
    )
    assert d.state == "awaiting_payment"
    d = s.dossier_confirm_payment(
        dossier_id=d.pk, actor=staff.desk, method="cash", amount=100000, at=vn("2026-03-11 09:00")
    )
    assert d.state == "processing"
    assert due is not None
    assert d.due_at == vn("2026-03-26 09:00")  # due 25 Mar 09:00 + one working day waited
    payment = Payment.objects.get(dossier=d)
    assert (payment.method, payment.amount, payment.receipt_number) == ("cash", 100000, f"{d.code}-BL01")


def test_payment_at_intake_changes_no_state(staff: Staff) -> None:
    d = processing(staff)
    d = s.dossier_confirm_payment(
        dossier_id=d.pk, actor=staff.desk, method="online", amount=15000, at=vn("2026-03-09 09:30")
    )
    assert d.state == "processing"
    assert Payment.objects.filter(dossier=d, method="online").count() == 1


def test_extension_keeps_the_statutory_due_and_is_allowed_once(staff: Staff) -> None:
    d = processing(staff)
    due = d.due_at
    d = s.dossier_extend(
        dossier_id=d.pk,
        actor=staff.approver,
        new_appointment=vn("2026-03-16 17:00"),
        reason="xác minh",
        at=vn("2026-03-10 09:00"),
    )
    assert d.due_at == due
    assert d.appointment_at == vn("2026-03-16 17:00")
    with pytest.raises(FieldError):
        s.dossier_extend(
            dossier_id=d.pk,
            actor=staff.approver,
            new_appointment=vn("2026-03-17 17:00"),
            at=vn("2026-03-10 10:00"),
        )


def test_extension_less_than_one_working_day_before_due_is_refused(staff: Staff) -> None:
    d = processing(staff)  # due Thu 12 Mar 09:00
    with pytest.raises(FieldError) as err:
        s.dossier_extend(
            dossier_id=d.pk,
            actor=staff.approver,
            new_appointment=vn("2026-03-16 17:00"),
            at=vn("2026-03-11 15:00"),
        )
    assert "working day" in str(err.value)
    d.refresh_from_db()
    assert d.extensions == 0


def test_resolve_on_the_due_date_is_on_time_and_stores_the_result(staff: Staff) -> None:
    d = processing(staff)
    for action, actor in (("propose", staff.specialist), ("approve", staff.approver)):
        d = s.dossier_act(dossier_id=d.pk, action=action, actor=actor, at=vn("2026-03-11 09:00"))
    d = s.dossier_resolve(
        dossier_id=d.pk, actor=staff.clerk, result_code="TL-12", e_copy=True, at=vn("2026-03-12 16:00")
    )
    assert (d.state, d.timeliness, d.ended_at) == ("resolved", "on_time", vn("2026-03-12 16:00"))
    result = DossierResult.objects.get(dossier=d)
    assert (result.result_code, result.e_copy) == ("TL-12", True)
    d = s.dossier_deliver(dossier_id=d.pk, actor=staff.desk, method="postal", at=vn("2026-03-13 08:00"))
    assert (d.state, d.delivery_method) == ("delivered", "postal")
    assert d.ended_at == vn("2026-03-12 16:00")  # the end is the resolution, not the delivery


def test_late_resolution_is_overdue(staff: Staff) -> None:
    d = processing(staff)
    d = s.dossier_resolve(dossier_id=d.pk, actor=staff.approver, result_code="X", at=vn("2026-03-13 08:00"))
    assert d.timeliness == "overdue"


def test_stop_ends_without_result(staff: Staff) -> None:
    d = processing(staff)
    d = s.dossier_stop(
        dossier_id=d.pk, actor=staff.approver, reason_code="withdrawn", at=vn("2026-03-10 08:00")
    )
    assert (d.state, d.stop_reason, d.timeliness) == ("stopped", "withdrawn", "before_due")


def test_cancel_is_for_admins_only(staff: Staff) -> None:
    d = processing(staff)
    with pytest.raises(Forbidden):
        s.dossier_cancel(dossier_id=d.pk, actor=staff.approver, reason="trùng", at=vn("2026-03-10 08:00"))
    d = s.dossier_cancel(dossier_id=d.pk, actor=staff.admin, reason="trùng", at=vn("2026-03-10 08:00"))
    assert d.state == "cancelled"


# --- refusals: state, role, unit, time, concurrency ------------------------------------------------------------


def test_a_disallowed_action_names_the_state_and_the_allowed_actions_and_changes_nothing(
    staff: Staff,
) -> None:
    d = submit(staff)
    d = s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))
    before = (d.state, d.version, DossierEvent.objects.count())
    with pytest.raises(StateError) as err:
        s.dossier_resolve(dossier_id=d.pk, actor=staff.approver, result_code="X", at=vn("2026-03-09 10:00"))
    assert err.value.state == "received"
    assert "forward" in err.value.allowed
    assert "received" in str(err.value)
    d.refresh_from_db()
    assert (d.state, d.version, DossierEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("who", "action", "payload"),
    [
        ("specialist", "accept", {}),
        ("desk", "approve", {}),
        ("inspector", "forward", {}),
        ("other_desk", "forward", {}),
        ("other_approver", "stop", {"reason_code": "withdrawn"}),
    ],
)
def test_wrong_role_or_unit_is_forbidden(
    staff: Staff, who: str, action: str, payload: dict[str, str]
) -> None:
    d = submit(staff)
    if action != "accept":
        d = s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))
    if action in ("approve", "stop"):
        d = s.dossier_forward(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:05"))
    with pytest.raises(Forbidden):
        s.dossier_act(
            dossier_id=d.pk,
            action=action,
            actor=getattr(staff, who),
            payload=payload,
            at=vn("2026-03-09 10:00"),
        )


def test_a_specialist_of_another_department_cannot_act(staff: Staff) -> None:
    d = processing(staff)  # routed to TP-HT
    with pytest.raises(Forbidden):
        s.dossier_request_supplement(
            dossier_id=d.pk, actor=staff.land_specialist, reason="x", at=vn("2026-03-10 09:00")
        )


def test_times_going_backwards_are_refused(staff: Staff) -> None:
    d = submit(staff, at="2026-03-09 10:00")
    with pytest.raises(FieldError) as err:
        s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))
    assert err.value.field == "at"


def test_a_stale_version_is_a_conflict(staff: Staff) -> None:
    d = submit(staff)
    seen = d.version
    s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:00"), expected_version=seen)
    with pytest.raises(Conflict):
        s.dossier_refuse(
            dossier_id=d.pk, actor=staff.desk, reason="x", at=vn("2026-03-09 09:10"), expected_version=seen
        )


def test_codes_are_consecutive_per_unit_and_local_day(staff: Staff) -> None:
    codes = []
    for unit, at in (
        (COMMUNE, "2026-03-09 09:00"),
        (COMMUNE, "2026-03-09 16:59"),
        (OTHER_COMMUNE, "2026-03-09 10:00"),
        (COMMUNE, "2026-03-10 06:59"),
    ):
        d = submit(staff, unit=unit, at="2026-03-09 08:00")
        actor = staff.desk if unit == COMMUNE else staff.other_desk
        codes.append(s.dossier_accept(dossier_id=d.pk, actor=actor, at=vn(at)).code)
    assert codes == [
        "000.31.00.H11-260309-0001",
        "000.31.00.H11-260309-0002",
        "000.32.00.H11-260309-0001",
        "000.31.00.H11-260310-0001",
    ]


def test_a_failed_acceptance_does_not_use_up_a_number(staff: Staff) -> None:
    d1 = submit(staff)
    d2 = submit(staff)
    s.dossier_accept(dossier_id=d1.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))
    with pytest.raises(Conflict):
        s.dossier_accept(
            dossier_id=d2.pk, actor=staff.desk, at=vn("2026-03-09 09:01"), code="000.31.00.H11-260309-0001"
        )
    d2 = s.dossier_accept(dossier_id=d2.pk, actor=staff.desk, at=vn("2026-03-09 09:02"))
    assert d2.code == "000.31.00.H11-260309-0002"
    assert DailySequence.objects.get().last == 2


def test_events_are_immutable(staff: Staff) -> None:
    d = submit(staff)
    event = d.events.get()
    event.payload = {"tampered": True}
    with pytest.raises(ValueError, match="immutable"):
        event.save()
    with pytest.raises(ValueError, match="immutable"):
        event.delete()


def test_naive_instants_are_refused(staff: Staff) -> None:
    with pytest.raises(FieldError) as err:
        s.dossier_submit(
            procedure_code="1.001022",
            receiving_unit_code=COMMUNE,
            channel="direct",
            applicant=s.Applicant(name="A"),
            actor=staff.desk,
            at=datetime(2026, 3, 9, 8),
        )
    assert err.value.field == "at"


def test_boundary_independent_dossier_goes_to_the_competent_unit(staff: Staff) -> None:
    d = s.dossier_submit(
        procedure_code="1.001022",
        receiving_unit_code=COMMUNE,
        competent_unit_code=OTHER_COMMUNE,
        channel="direct",
        applicant=s.Applicant(name="A"),
        actor=staff.desk,
        at=vn("2026-03-09 08:00"),
    )
    d = s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))
    assert d.code is not None
    assert d.code.startswith(COMMUNE)
    d = s.dossier_forward(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:05"))
    with pytest.raises(Forbidden):  # processing belongs to the competent unit
        s.dossier_resolve(dossier_id=d.pk, actor=staff.approver, result_code="X", at=vn("2026-03-09 10:00"))
    d = s.dossier_resolve(
        dossier_id=d.pk, actor=staff.other_approver, result_code="X", at=vn("2026-03-09 10:00")
    )
    assert d.state == "resolved"


def test_a_procedure_that_is_not_boundary_independent_must_stay_at_the_competent_unit(staff: Staff) -> None:
    with pytest.raises(FieldError) as err:
        s.dossier_submit(
            procedure_code="1.001193",
            receiving_unit_code=COMMUNE,
            competent_unit_code=OTHER_COMMUNE,
            channel="direct",
            applicant=s.Applicant(name="A"),
            actor=staff.desk,
        )
    assert err.value.field == "competent_unit"


def test_a_calendar_change_moves_no_due_until_an_admin_recomputes_it(staff: Staff) -> None:
    from motcua.catalogue.services import calendar_import

    # given a dossier due Thu 12 Mar 09:00, then a new day off on Wed 11 Mar
    d = processing(staff)
    version = d.calendar_version
    calendar_import(data={"overrides": [{"date": "2026-03-11", "kind": "day_off", "note": "nghỉ bù"}]})
    d.refresh_from_db()
    assert d.due_at == vn("2026-03-12 09:00")  # nothing moves silently
    # when a desk officer tries, then an admin recomputes
    with pytest.raises(Forbidden):
        s.dossier_recompute_due(dossier_id=d.pk, actor=staff.desk, reason="thông báo mới", at=vn("2026-03-10 08:00"))
    d = s.dossier_recompute_due(dossier_id=d.pk, actor=staff.admin, reason="thông báo mới", at=vn("2026-03-10 08:00"))
    # then the due moves one working day and the event says why
    assert d.due_at == vn("2026-03-13 09:00")
    assert d.appointment_at == d.due_at
    assert d.calendar_version != version
    event = d.events.get(action="recompute_due")
    assert event.payload["previous_due_at"] == "2026-03-12T09:00:00+07:00"
    assert event.payload["reason"] == "thông báo mới"
