"""Boundary-independent hops, consultations and interconnected steps (motcua.interop)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from conftest import COMMUNE, OTHER_COMMUNE, Staff, vn
from motcua.core.errors import FieldError, Forbidden, StateError
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.interop import selectors
from motcua.interop.models import AgencyRequest, AgencyRequestEvent, BoundaryHop, HopStatus
from motcua.interop.services import agency_request_answer, consultation_request, linked_groups_load

pytestmark = pytest.mark.django_db


def accepted(
    staff: Staff, *, at: str = "2026-03-09 09:00", procedure: str = "1.001022", **kw: object
) -> Dossier:
    d = s.dossier_submit(
        procedure_code=procedure,
        receiving_unit_code=COMMUNE,
        channel="direct",
        applicant=s.Applicant(name="Lục Văn B"),
        components=[s.ComponentIn(code="TK")] if procedure in ("1.001022", "1.001193") else [],
        actor=staff.desk,
        at=vn(at),
        **kw,
    )  # type: ignore[arg-type]
    return s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn(at))


# --- boundary-independent hops -----------------------------------------------------------------------------------


def test_a_boundary_independent_dossier_moves_through_each_hop(staff: Staff) -> None:
    # given a dossier received here for the other commune
    d = accepted(staff, competent_unit_code=OTHER_COMMUNE)
    hop = BoundaryHop.objects.get(dossier=d)
    assert (hop.status, hop.received_at) == (HopStatus.RECEIVED, vn("2026-03-09 09:00"))
    # when it is forwarded, resolved there and delivered here
    s.dossier_forward(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 10:00"))
    waiting = BoundaryHop.objects.get(dossier=d).status
    s.dossier_resolve(
        dossier_id=d.pk, actor=staff.other_approver, result_code="KQ1", at=vn("2026-03-11 09:00")
    )
    s.dossier_deliver(dossier_id=d.pk, actor=staff.desk, method="desk", at=vn("2026-03-12 09:00"))
    # then
    hop = BoundaryHop.objects.get(dossier=d)
    assert waiting == HopStatus.WAITING
    assert hop.status == HopStatus.RETURNED
    assert (hop.sent_at, hop.returned_at, hop.delivered_at) == (
        vn("2026-03-09 10:00"),
        vn("2026-03-11 09:00"),
        vn("2026-03-12 09:00"),
    )
    assert [(e.status, e.unit.code) for e in hop.events.all()] == [
        (HopStatus.RECEIVED, COMMUNE),
        (HopStatus.WAITING, COMMUNE),
        (HopStatus.RETURNED, OTHER_COMMUNE),
    ]


def test_both_communes_see_the_hop_and_a_local_dossier_has_none(staff: Staff) -> None:
    # given
    bi = accepted(staff, competent_unit_code=OTHER_COMMUNE)
    local = accepted(staff)
    # then
    assert not BoundaryHop.objects.filter(dossier=local).exists()
    assert [h.dossier_id for h in selectors.hops_visible_to(staff.desk)] == [bi.pk]
    assert [h.dossier_id for h in selectors.hops_visible_to(staff.other_desk)] == [bi.pk]


# --- consultations -------------------------------------------------------------------------------------------------


def processing(staff: Staff, procedure: str = "1.001022") -> Dossier:
    d = accepted(staff, procedure=procedure)
    return s.dossier_forward(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:30"))


def test_a_consultation_gets_a_deadline_in_working_days_and_is_answered_once(staff: Staff) -> None:
    # given a dossier in processing
    d = processing(staff)
    # when the specialist asks the land office for 2 working days, on a Friday afternoon
    r = consultation_request(
        dossier_id=d.pk,
        actor=staff.specialist,
        agency="Công chức Địa chính",
        task="Xác minh nơi cư trú",
        working_days="2",
        department_code="DC",
        at=vn("2026-03-13 14:00"),
    )
    # then the deadline skips the weekend: Tuesday 14:00
    assert r.due_at == vn("2026-03-17 14:00")
    assert r.status == AgencyRequest.Status.SENT
    # when the land specialist answers on time
    answered = agency_request_answer(
        request_id=r.pk, actor=staff.land_specialist, answer="Đúng nơi cư trú", at=vn("2026-03-17 10:00")
    )
    assert (answered.status, answered.late) == (AgencyRequest.Status.ANSWERED, False)
    # and a second answer is refused and changes nothing
    with pytest.raises(StateError, match="answered"):
        agency_request_answer(
            request_id=r.pk, actor=staff.specialist, answer="again", at=vn("2026-03-18 10:00")
        )
    assert AgencyRequest.objects.get(pk=r.pk).answer == "Đúng nơi cư trú"
    assert list(AgencyRequestEvent.objects.filter(request=r).values_list("seq", "action")) == [
        (1, "send"),
        (2, "answer"),
    ]


def test_a_late_answer_is_marked_and_the_late_list_shows_open_ones(staff: Staff) -> None:
    # given two consultations of 1 working day
    d = processing(staff)
    args = {"dossier_id": d.pk, "actor": staff.specialist, "task": "Cho ý kiến", "working_days": 1}
    first = consultation_request(agency="Công an xã", at=vn("2026-03-10 09:00"), **args)
    second = consultation_request(agency="Trạm y tế", at=vn("2026-03-10 09:00"), **args)
    # when one is answered two days later and the other not at all
    agency_request_answer(request_id=first.pk, actor=staff.specialist, answer="OK", at=vn("2026-03-12 16:00"))
    # then
    assert AgencyRequest.objects.get(pk=first.pk).late is True
    assert [r.pk for r in selectors.requests_late(staff.head, at=vn("2026-03-12 16:00"))] == [second.pk]
    assert list(selectors.requests_late(staff.head, at=vn("2026-03-11 08:00"))) == []
    assert list(selectors.requests_late(staff.other_desk, at=vn("2026-03-12 16:00"))) == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"working_days": 0}, "working_days"),
        ({"working_days": "31"}, "working_days"),
        ({"working_days": "1.3"}, "working_days"),
        ({"working_days": "abc"}, "working_days"),
        ({"agency": " "}, "agency"),
        ({"task": ""}, "task"),
        ({"department_code": "NOPE"}, "department_code"),
    ],
)
def test_a_bad_consultation_names_the_field_and_writes_nothing(
    staff: Staff, kwargs: dict, field: str
) -> None:
    d = processing(staff)
    args = {"agency": "Công an xã", "task": "Cho ý kiến", "working_days": 2} | kwargs
    with pytest.raises(FieldError) as exc:
        consultation_request(dossier_id=d.pk, actor=staff.specialist, **args)
    assert exc.value.field == field
    assert not AgencyRequest.objects.exists()


def test_only_the_competent_units_handling_staff_may_consult(staff: Staff) -> None:
    d = processing(staff)
    for actor in (staff.desk, staff.other_approver):
        with pytest.raises(Forbidden):
            consultation_request(dossier_id=d.pk, actor=actor, agency="X", task="Y", working_days=1)
    closed = s.dossier_stop(dossier_id=d.pk, actor=staff.approver, reason_code="withdrawn")
    with pytest.raises(StateError, match="stopped"):
        consultation_request(
            dossier_id=closed.pk, actor=staff.specialist, agency="X", task="Y", working_days=1
        )


# --- interconnected procedures ---------------------------------------------------------------------------------------

GROUP = {
    "groups": [
        {
            "procedure": "1.001193",
            "mode": "sequential",
            "steps": [
                {
                    "agency": "Tư pháp – Hộ tịch",
                    "department": "TP-HT",
                    "task": "Đăng ký khai sinh",
                    "working_days": 1,
                },
                {"agency": "Công an xã", "department": "", "task": "Đăng ký thường trú", "working_days": 7},
                {"agency": "Bảo hiểm xã hội", "department": "", "task": "Cấp thẻ BHYT", "working_days": 5},
            ],
        }
    ]
}


def test_linked_steps_start_at_forwarding_and_run_in_order(staff: Staff) -> None:
    # given the birth registration is run as a sequential linked group
    assert linked_groups_load(GROUP) == ["1.001193"]
    d = processing(staff, procedure="1.001193")
    steps = list(selectors.dossier_requests(d))
    # then only the first step is sent, with its own deadline
    assert [(r.agency, r.status) for r in steps] == [
        ("Tư pháp – Hộ tịch", "sent"),
        ("Công an xã", "waiting"),
        ("Bảo hiểm xã hội", "waiting"),
    ]
    assert steps[0].department is not None
    assert steps[0].due_at == vn("2026-03-10 09:30")
    # when the first answers, the second is sent from that instant
    agency_request_answer(
        request_id=steps[0].pk, actor=staff.specialist, answer="Đã cấp GKS", at=vn("2026-03-10 08:00")
    )
    second = AgencyRequest.objects.get(pk=steps[1].pk)
    assert (second.status, second.sent_at) == ("sent", vn("2026-03-10 08:00"))
    assert second.due_at == vn("2026-03-10 08:00") + timedelta(days=9)  # 7 working days over one weekend
    assert selectors.linked_progress(d) == (1, 3)


def test_stopping_the_dossier_withdraws_its_open_steps(staff: Staff) -> None:
    linked_groups_load(GROUP)
    d = processing(staff, procedure="1.001193")
    s.dossier_stop(dossier_id=d.pk, actor=staff.approver, reason_code="withdrawn")
    assert set(AgencyRequest.objects.filter(dossier=d).values_list("status", flat=True)) == {"withdrawn"}
    assert selectors.linked_progress(d) == (0, 0)


def test_load_groups_refuses_an_unknown_procedure_and_loads_nothing(catalogue: None) -> None:
    bad = {"groups": [GROUP["groups"][0], {"procedure": "9.999999", "steps": [{"agency": "A", "task": "B"}]}]}
    with pytest.raises(FieldError, match=r"groups\[1\]\.procedure"):
        linked_groups_load(bad)
    from motcua.interop.models import LinkedGroup

    assert not LinkedGroup.objects.exists()


def test_the_bundled_groups_load_on_the_real_catalogue(catalogue: None) -> None:
    # the bundled file names procedures of the real catalogue, absent from the test catalogue: a clear error
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit):
        call_command("interop", "load-groups", stdout=out, stderr=err)
    assert "2.000986" in err.getvalue()


def test_loading_the_same_groups_twice_keeps_the_running_steps(staff: Staff) -> None:
    linked_groups_load(GROUP)
    d = processing(staff, procedure="1.001193")
    assert linked_groups_load(GROUP) == ["1.001193"]
    assert AgencyRequest.objects.filter(dossier=d).count() == 3
    changed = {"groups": [GROUP["groups"][0] | {"steps": GROUP["groups"][0]["steps"][:1]}]}
    with pytest.raises(FieldError, match="cannot be replaced"):
        linked_groups_load(changed)
