"""The petition pages: the list (badges, masking, scope), one petition (log, answer, refuse, transfer, role
checks, errors in place)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from conftest import COMMUNE, OTHER_COMMUNE, Staff, vn
from motcua.accounts.models import User
from motcua.evaluation import views
from motcua.evaluation.tests.conftest import petition
from motcua.feedback import services as fs
from motcua.feedback.models import Petition, PetitionEvent

pytestmark = pytest.mark.django_db

LIST = "/can-bo/danh-gia/phan-anh/"
ClientOf = Callable[[User], Client]


def detail(p: Petition) -> str:
    return f"{LIST}{p.pk}/"


def _recent(days_ago: int = 0, **kw: str) -> Petition:
    """A petition received ``days_ago`` days ago (an hour before now, local time, so it is never in the future)."""
    at = timezone.localtime() - timedelta(days=days_ago, hours=1)
    return petition(at.strftime("%Y-%m-%d %H:%M"), **kw)


def test_list_open_petitions_with_badges_and_masked_contact(staff: Staff, client_of: ClientOf) -> None:
    overdue = petition("2026-01-05 09:00", subject="Phản ánh cũ")
    fresh = _recent(0, subject="Phản ánh mới", contact="0987654321")
    answered = _recent(0, subject="Đã trả lời rồi")
    fs.petition_answer(petition_id=answered.pk, actor=staff.approver, answer="Trả lời.", outcome="explained")
    response = client_of(staff.desk).get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert overdue.code in page
    assert fresh.code in page
    assert answered.code not in page  # the default filter: open ones
    assert "Quá hạn" in page
    assert "Trong hạn" in page
    assert "0987654321" not in page
    assert "*******321" in page
    assert page.index(overdue.code) < page.index(fresh.code)  # by handling due
    all_page = client_of(staff.desk).get(LIST, {"status": "all"}).content.decode()
    assert answered.code in all_page


@pytest.mark.parametrize("who", ["approver", "clerk", "admin"])
def test_leaders_clerks_and_admins_see_the_contact(staff: Staff, client_of: ClientOf, who: str) -> None:
    _recent(0, contact="0987654321")
    assert "0987654321" in client_of(getattr(staff, who)).get(LIST).content.decode()


@pytest.mark.parametrize(
    ("now", "state"),
    [
        ("2026-03-20 09:00", ""),  # due Mon 30 Mar is more than 3 working days away
        ("2026-03-26 09:00", "near"),
        ("2026-03-30 16:00", "near"),  # the due date itself: not overdue yet
        ("2026-03-31 08:00", "overdue"),
    ],
)
def test_near_due_and_overdue_on_the_units_calendar(staff: Staff, now: str, state: str) -> None:
    p = petition("2026-03-09 09:00")
    assert views._deadline(p, vn(now)).state == state


def test_scope_of_the_list(staff: Staff, client_of: ClientOf) -> None:
    mine = _recent(0, subject="Của Đông Khê")
    theirs = _recent(0, unit_code=OTHER_COMMUNE, subject="Của Thạch An")
    page = client_of(staff.other_desk).get(LIST).content.decode()
    assert theirs.code in page
    assert mine.code not in page
    assert client_of(staff.other_desk).get(LIST, {"unit": COMMUNE}).status_code == 404
    inspector = client_of(staff.inspector).get(LIST).content.decode()
    assert mine.code in inspector
    assert theirs.code in inspector
    only_mine = client_of(staff.inspector).get(LIST, {"unit": COMMUNE}).content.decode()
    assert mine.code in only_mine
    assert theirs.code not in only_mine


def test_detail_shows_the_petition_and_its_log(staff: Staff, client_of: ClientOf) -> None:
    p = _recent(0, subject="Thủ tục chậm", contact="0987654321")
    fs.petition_start(petition_id=p.pk, actor=staff.approver, note="Giao văn phòng")
    response = client_of(staff.approver).get(detail(p))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Thủ tục chậm" in page
    assert "0987654321" in page
    assert "Tiếp nhận phản ánh" in page
    assert "Nhận xử lý" in page
    assert "Giao văn phòng" in page
    assert 'name="action" value="answer"' in page
    assert 'name="action" value="refuse"' in page
    assert 'name="action" value="transfer"' in page
    desk = client_of(staff.desk).get(detail(p)).content.decode()
    assert "0987654321" not in desk
    assert 'name="action"' not in desk


def test_another_communes_user_gets_404(staff: Staff, client_of: ClientOf) -> None:
    p = _recent(0)
    client = client_of(staff.other_approver)
    assert client.get(detail(p)).status_code == 404
    assert client.post(detail(p), {"action": "refuse", "refuse-reason": "x"}).status_code == 404
    assert Petition.objects.get(pk=p.pk).status == "received"
    assert client.get(f"{LIST}999999/").status_code == 404


def test_answer(staff: Staff, client_of: ClientOf) -> None:
    p = _recent(0)
    client = client_of(staff.approver)
    response = client.post(detail(p), {"action": "answer", "answer-outcome": "accepted",
                                       "answer-answer": "Đã bỏ yêu cầu bản sao."})
    assert response.status_code == 302
    assert response["Location"] == detail(p)
    p.refresh_from_db()
    assert (p.status, p.outcome, p.on_time) == ("answered", "accepted", True)
    assert PetitionEvent.objects.filter(petition=p, action="answer", actor=staff.approver).exists()
    page = client.get(detail(p)).content.decode()
    assert "Đã trả lời phản ánh" in page
    assert "Đã bỏ yêu cầu bản sao." in page
    assert 'name="action" value="publish"' in page
    response = client.post(detail(p), {"action": "publish"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.answer_published_at is not None


def test_refuse_by_the_admin(staff: Staff, client_of: ClientOf) -> None:
    p = _recent(0)
    data = {"action": "refuse", "refuse-reason": "Nội dung không rõ."}
    response = client_of(staff.admin).post(detail(p), data)
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == "refused"
    assert p.answer == "Nội dung không rõ."


def test_transfer(staff: Staff, client_of: ClientOf) -> None:
    p = _recent(0)
    response = client_of(staff.approver).post(detail(p), {"action": "transfer", "transfer-to": "Công an xã",
                                                          "transfer-reason": ""})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == "transferred"
    assert p.transferred_to == "Công an xã"


def test_a_clerk_answers(staff: Staff, client_of: ClientOf) -> None:
    p = _recent(0)
    response = client_of(staff.clerk).post(detail(p), {"action": "answer", "answer-outcome": "explained",
                                                       "answer-answer": "Trả lời."})
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["desk", "specialist", "inspector"])
def test_others_may_not_act(staff: Staff, client_of: ClientOf, who: str) -> None:
    p = _recent(0)
    response = client_of(getattr(staff, who)).post(detail(p), {"action": "refuse", "refuse-reason": "x"})
    assert response.status_code == 403
    assert Petition.objects.get(pk=p.pk).status == "received"


def test_errors_in_place(staff: Staff, client_of: ClientOf) -> None:
    p = _recent(0)
    client = client_of(staff.approver)
    blank = {"action": "answer", "answer-outcome": "accepted", "answer-answer": "  "}
    response = client.post(detail(p), blank)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Vui lòng nhập" in page
    assert "has-error" in page
    response = client.post(detail(p), {"action": "answer", "answer-outcome": "bogus", "answer-answer": "x"})
    assert response.status_code == 422
    assert Petition.objects.get(pk=p.pk).status == "received"


def test_an_action_the_state_does_not_allow(staff: Staff, client_of: ClientOf) -> None:
    p = _recent(0)
    fs.petition_refuse(petition_id=p.pk, actor=staff.approver, reason="Trùng.")
    response = client_of(staff.approver).post(detail(p), {"action": "answer", "answer-outcome": "accepted",
                                                          "answer-answer": "Trả lời."})
    assert response.status_code == 409
    assert "Từ chối tiếp nhận" in response.content.decode()
    assert client_of(staff.approver).post(detail(p), {"action": "nope"}).status_code == 404
