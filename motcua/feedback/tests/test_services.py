"""Petitions: deadlines on the unit's calendar, on_time stored when closed, the event log, permissions;
ratings: once, after delivery; the selectors."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import COMMUNE, OTHER_COMMUNE, Staff, vn
from motcua.catalogue.models import CalendarOverride, Unit
from motcua.catalogue.selectors import overrides_cache_clear
from motcua.core.errors import Conflict, FieldError, Forbidden, StateError
from motcua.dossiers import services as ds
from motcua.feedback import services
from motcua.feedback.models import Petition, PetitionEvent, SatisfactionRating
from motcua.feedback.selectors import (
    mask_contact,
    petition_figures,
    petition_lookup,
    petitions_for_unit,
    petitions_near_due,
    petitions_overdue,
    rating_figures,
)

pytestmark = pytest.mark.django_db


def _submit(at: str = "2026-03-09 09:00", **kw: str) -> Petition:
    data = {
        "unit_code": COMMUNE,
        "kind": "regulation",
        "subject": "Giấy tờ thừa",
        "content": "Đề nghị bỏ yêu cầu nộp bản sao sổ hộ khẩu.",
        "sender_name": "Lò Văn Sáng",
        "contact": "0912345678",
        **kw,
    }
    return services.petition_submit(**data, at=vn(at))  # type: ignore[arg-type]


def test_submit_sets_15_and_2_working_day_dues(staff: Staff) -> None:
    petition = _submit()
    assert petition.code == "PA-260309-0001"
    assert len(petition.secret) == 8
    assert petition.status == "received"
    assert petition.handling_due == vn("2026-03-30 09:00")  # Mon + 15 working days (3 weeks)
    assert petition.refusal_due == vn("2026-03-11 09:00")
    assert _submit().code == "PA-260309-0002"
    event = PetitionEvent.objects.get(petition=petition)
    assert (event.action, event.to_status, event.seq) == ("submit", "received", 1)
    assert "0912345678" not in str(event.payload)  # the log keeps no contact


def test_the_due_follows_the_units_calendar(staff: Staff) -> None:
    CalendarOverride.objects.create(date=date(2026, 3, 20), kind="day_off", note="nghỉ bù")
    overrides_cache_clear()
    assert _submit().handling_due == vn("2026-03-31 09:00")  # one more working day


def test_answer_stores_on_time(staff: Staff) -> None:
    petition = _submit()
    petition = services.petition_start(petition_id=petition.pk, actor=staff.desk, at=vn("2026-03-09 10:00"))
    assert petition.status == "in_progress"
    petition = services.petition_answer(
        petition_id=petition.pk,
        actor=staff.approver,
        answer="Đã bỏ yêu cầu.",
        outcome="accepted",
        at=vn("2026-03-30 16:00"),
    )
    assert petition.status == "answered"
    assert petition.on_time is True
    assert petition.answered_at == vn("2026-03-30 16:00")
    late = _submit()
    late = services.petition_answer(
        petition_id=late.pk,
        actor=staff.approver,
        answer="Trả lời muộn.",
        outcome="explained",
        at=vn("2026-03-31 08:00"),
    )
    assert late.on_time is False
    assert [e.action for e in PetitionEvent.objects.filter(petition=petition)] == [
        "submit",
        "start",
        "answer",
    ]
    assert PetitionEvent.objects.filter(petition=petition, action="answer").get().payload["on_time"] is True


def test_refusal_and_transfer_within_2_working_days(staff: Staff) -> None:
    refused = services.petition_refuse(
        petition_id=_submit().pk, actor=staff.desk, reason="Nội dung không rõ.", at=vn("2026-03-11 16:00")
    )
    assert refused.status == "refused"
    assert refused.on_time is True
    late = services.petition_refuse(
        petition_id=_submit().pk, actor=staff.desk, reason="Muộn.", at=vn("2026-03-12 08:00")
    )
    assert late.on_time is False
    moved = services.petition_transfer(
        petition_id=_submit().pk, actor=staff.desk, to="Công an xã Đông Khê", at=vn("2026-03-10 09:00")
    )
    assert moved.status == "transferred"
    assert moved.transferred_to == "Công an xã Đông Khê"
    assert moved.on_time


def test_refused_actions_change_nothing(staff: Staff) -> None:
    petition = services.petition_answer(
        petition_id=_submit().pk,
        actor=staff.approver,
        answer="Xong.",
        outcome="accepted",
        at=vn("2026-03-10 09:00"),
    )
    with pytest.raises(StateError) as err:
        services.petition_refuse(petition_id=petition.pk, actor=staff.approver, reason="x")
    assert err.value.allowed == ("publish_answer",)
    other = _submit()
    with pytest.raises(Forbidden):
        services.petition_answer(petition_id=other.pk, actor=staff.other_desk, answer="x", outcome="accepted")
    with pytest.raises(Forbidden):
        services.petition_answer(petition_id=other.pk, actor=staff.inspector, answer="x", outcome="accepted")
    with pytest.raises(FieldError):
        services.petition_answer(petition_id=other.pk, actor=staff.approver, answer="x", outcome="maybe")
    with pytest.raises(FieldError):
        services.petition_answer(petition_id=other.pk, actor=staff.approver, answer=" ", outcome="accepted")
    other.refresh_from_db()
    assert other.status == "received"
    assert PetitionEvent.objects.filter(petition=other).count() == 1
    with pytest.raises(ValueError, match="immutable"):
        PetitionEvent.objects.filter(petition=other).get().delete()


def test_submit_validates(staff: Staff) -> None:
    with pytest.raises(FieldError, match="unit"):
        _submit(unit_code="nope")
    with pytest.raises(FieldError, match="kind"):
        _submit(kind="gossip")
    with pytest.raises(FieldError, match="subject"):
        _submit(subject="  ")
    with pytest.raises(FieldError, match="dossier"):
        _submit(dossier_code="000.31.00.H11-260101-0999")
    assert not Petition.objects.exists()


def test_selectors(staff: Staff) -> None:
    commune = Unit.objects.get(code=COMMUNE)
    old = _submit("2026-03-02 09:00")  # due Mon 23 Mar
    soon = _submit("2026-03-09 09:00")  # due Mon 30 Mar
    _submit("2026-03-20 09:00")  # due 10 Apr
    services.petition_submit(
        unit_code=OTHER_COMMUNE,
        kind="other",
        subject="x",
        content="y",
        sender_name="z",
        at=vn("2026-03-02 09:00"),
    )
    assert set(petitions_for_unit(commune)) == set(Petition.objects.filter(unit=commune))
    assert len(petitions_for_unit(Unit.objects.get(code="000.00.00.H11"))) == 4
    at = vn("2026-03-26 10:00")
    assert list(petitions_overdue(commune, at=at)) == [old]
    assert list(petitions_near_due(commune, at=at)) == [soon]
    assert list(petitions_overdue(commune, at=vn("2026-03-23 16:00"))) == []  # due that day: not yet late
    assert petition_lookup(old.code, old.secret.lower()) == old
    assert petition_lookup(old.code, "AAAAAAAA") is None
    assert petition_lookup("PA-000000-0000", old.secret) is None
    assert mask_contact("0912345678") == "*******678"
    assert mask_contact("an@mail.vn") == "a***@mail.vn"

    services.petition_answer(
        petition_id=soon.pk, actor=staff.approver, answer="ok", outcome="explained", at=vn("2026-03-12 09:00")
    )
    figures = petition_figures(commune, date(2026, 3, 1), date(2026, 3, 31))
    assert figures.received == 3
    assert figures.by_kind == {"regulation": 3}
    assert (figures.closed, figures.closed_on_time, figures.on_time_rate) == (1, 1, 100.0)
    assert figures.open_overdue == 1  # `old`, due 23 Mar, still open on 31 Mar


def test_rating_once_and_only_after_delivery(staff: Staff) -> None:
    d = ds.dossier_submit(
        procedure_code="1.001193",
        receiving_unit_code=COMMUNE,
        channel="direct",
        applicant=ds.Applicant(name="Lò Thị Mai"),
        actor=staff.desk,
        at=vn("2026-03-09 08:00"),
    )
    d = ds.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 08:05"))
    with pytest.raises(StateError):
        services.rating_submit(dossier=d, level="satisfied")
    d = ds.dossier_forward(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 08:10"))
    d = ds.dossier_resolve(
        dossier_id=d.pk, actor=staff.approver, result_code="KS-1", at=vn("2026-03-09 10:00")
    )
    d = ds.dossier_deliver(dossier_id=d.pk, actor=staff.desk, method="desk", at=vn("2026-03-09 10:30"))
    with pytest.raises(FieldError):
        services.rating_submit(dossier=d, level="ok")
    with pytest.raises(FieldError):
        services.rating_submit(dossier=d, level="satisfied", answers={"attitude": "rude"})
    with pytest.raises(FieldError):
        services.rating_submit(dossier=d, level="satisfied", answers={"weather": "fine"})
    rating = services.rating_submit(
        dossier=d,
        level="dissatisfied",
        answers={"time": "late", "fees": ""},
        comment="Chờ lâu",
        at=vn("2026-03-10 08:00"),
    )
    assert rating.answers == {"time": "late"}
    with pytest.raises(Conflict):
        services.rating_submit(dossier=d, level="very_satisfied")
    assert SatisfactionRating.objects.count() == 1
    figures = rating_figures(Unit.objects.get(code=COMMUNE), date(2026, 3, 1), date(2026, 3, 31))
    assert figures.total == 1
    assert figures.satisfied == 0
    assert figures.satisfied_rate == 0.0
    time_q = next(q for q in figures.questions if q["key"] == "time")
    assert time_q["answered"] == 1
    assert str(time_q["score"]) == "0.0"
