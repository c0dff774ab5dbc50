"""dossier_intake: lodge and decide at the desk, all or nothing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from conftest import COMMUNE, Staff, vn
from motcua.core.errors import Conflict, FieldError, StateError
from motcua.domain.lifecycle import Action
from motcua.dossiers import hooks
from motcua.dossiers.intake import dossier_intake
from motcua.dossiers.models import DailySequence, Dossier, DossierEvent
from motcua.dossiers.services import Applicant, ComponentIn

pytestmark = pytest.mark.django_db

AT = vn("2026-03-09 08:10")  # a Monday


def intake(staff: Staff, **kwargs: object) -> Dossier:
    return dossier_intake(  # type: ignore[arg-type]
        procedure_code="1.001022",
        receiving_unit_code=COMMUNE,
        channel="direct",
        applicant=Applicant(name="Lục Văn Bình", id_number="004090000777"),
        components=[ComponentIn(code="TK"), ComponentIn(code="CC")],
        actor=staff.desk,
        at=AT,
        **kwargs,
    )


def nothing_written() -> bool:
    return (Dossier.objects.count(), DossierEvent.objects.count(), DailySequence.objects.count()) == (0, 0, 0)


@pytest.fixture
def acceptance_aborts() -> Iterator[None]:
    def abort(dossier: Dossier, events: Sequence[DossierEvent]) -> None:
        if any(e.action == "accept" for e in events):
            raise Conflict("the daily counter is busy")

    hooks.listen("tests.abort_accept", abort)
    yield
    hooks.unlisten("tests.abort_accept")


def test_intake_lodges_and_accepts(staff: Staff) -> None:
    # when
    dossier = intake(staff)
    # then
    assert dossier.state == "received"
    assert dossier.code == f"{COMMUNE}-260309-0001"
    assert list(DossierEvent.objects.values_list("action", "actor__username")) == [
        ("submit", "desk"),
        ("accept", "desk"),
    ]


def test_intake_may_ask_for_a_supplement_instead(staff: Staff) -> None:
    dossier = intake(staff, decision=Action.REQUEST_INTAKE_SUPPLEMENT, payload={"reason": "thiếu chứng cứ"})
    assert dossier.state == "intake_supplement"
    assert dossier.code is None


def test_a_failed_acceptance_leaves_no_dossier_event_or_number(staff: Staff, acceptance_aborts: None) -> None:
    # when
    with pytest.raises(Conflict):
        intake(staff)
    # then
    assert nothing_written()


def test_a_refusal_without_reason_leaves_nothing(staff: Staff) -> None:
    with pytest.raises(FieldError) as error:
        intake(staff, decision=Action.REFUSE)
    assert error.value.field == "reason"
    assert nothing_written()


def test_a_decision_that_is_no_intake_decision_leaves_nothing(staff: Staff) -> None:
    with pytest.raises(StateError):
        intake(staff, decision=Action.DELIVER)
    assert nothing_written()


def test_the_number_of_a_failed_acceptance_is_given_to_the_next(staff: Staff) -> None:
    # given: an acceptance that failed
    with pytest.raises(FieldError):
        intake(staff, decision=Action.RETURN_UNACCEPTED)
    # when
    dossier = intake(staff)
    # then
    assert dossier.code == f"{COMMUNE}-260309-0001"
