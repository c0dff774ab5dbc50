"""The inbox (queues per role and unit, counts on tabs), the search page, filters, masking and pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from conftest import Staff, vn
from motcua.accounts.models import User
from motcua.catalogue.models import Unit
from motcua.catalogue.selectors import unit_calendar
from motcua.dossiers import services as s
from motcua.web.inbox import is_near_due, queue_dossiers
from motcua.web.tests.conftest import ID_NUMBER, dossier_in, submit

pytestmark = pytest.mark.django_db

Clients = Callable[[User], Client]


def tabs(client: Client, **params: str) -> dict[str, int]:
    response = client.get("/can-bo/", params)
    assert response.status_code == 200
    return {t.key: t.count for t in response.context["tabs"]}


def listed(client: Client, url: str = "/can-bo/", **params: str) -> list[int]:
    response = client.get(url, params)
    assert response.status_code == 200
    return [row.dossier.pk for row in response.context["rows"]]


def test_desk_officers_see_the_desk_queues_with_counts(staff: Staff, client_of: Clients) -> None:
    # given
    submitted = [submit(staff), submit(staff)]
    for state in (
        "intake_supplement",
        "received",
        "supplement_requested",
        "awaiting_payment",
        "resolved",
        "refused",
    ):
        dossier_in(staff, state)
    client = client_of(staff.desk)
    # then
    assert tabs(client) == {
        "to_accept": 2,
        "intake_supplement": 1,
        "to_forward": 1,
        "to_record_supplement": 1,
        "awaiting_payment": 1,
        "to_deliver": 1,
    }
    assert sorted(listed(client)) == sorted(d.pk for d in submitted)  # the first tab by default
    html = client.get("/can-bo/", {"tab": "to_deliver"}).content.decode()
    assert "Chờ trả kết quả" in html
    assert "Có kết quả, chờ trả" in html


def test_department_queues_follow_assignment_and_department(staff: Staff, client_of: Clients) -> None:
    # given
    unassigned = dossier_in(staff, "processing")
    assigned = dossier_in(staff, "assigned")
    proposed = dossier_in(staff, "proposed")
    # then: the head assigns, the specialist appraises what is assigned to them and not yet proposed
    assert tabs(client_of(staff.head))["to_assign"] == 1
    assert listed(client_of(staff.head), tab="to_assign") == [unassigned.pk]
    assert listed(client_of(staff.specialist), tab="to_appraise") == [assigned.pk]
    assert proposed.pk not in listed(client_of(staff.specialist), tab="to_appraise")
    # the land department's specialist sees none of the civil-status dossiers
    assert tabs(client_of(staff.land_specialist)) == {"to_appraise": 0, "near_due": 0, "overdue": 0}
    assert "to_accept" not in tabs(client_of(staff.head))


def test_approvers_see_proposals_to_approve_and_approved_results_to_issue(
    staff: Staff, client_of: Clients
) -> None:
    # given
    proposed = dossier_in(staff, "proposed")
    approved = dossier_in(staff, "approved")
    dossier_in(staff, "assigned")
    client = client_of(staff.approver)
    # then
    counts = tabs(client)
    assert (counts["to_approve"], counts["to_resolve"]) == (1, 1)
    assert listed(client, tab="to_approve") == [proposed.pk]
    assert listed(client, tab="to_resolve") == [approved.pk]
    assert tabs(client_of(staff.clerk)) == {"to_resolve": 1}
    # a proposal sent back leaves the approver's queue and returns to the specialist
    s.dossier_reject_proposal(dossier_id=proposed.pk, actor=staff.approver, note="Xem lại")
    assert listed(client, tab="to_approve") == []
    assert proposed.pk in listed(client_of(staff.specialist), tab="to_appraise")


def test_near_due_and_overdue_use_the_unit_calendar(staff: Staff, client_of: Clients) -> None:
    # given: one overdue (due 12 Mar 2026), one with 4 working hours left, one with 12 working days left
    overdue = dossier_in(staff, "processing")
    near = dossier_in(staff, "processing", at=None, procedure="2.000815")  # 4 working hours
    far = dossier_in(staff, "processing", at=None, procedure="1.012784")  # 12 working days
    now = timezone.now()
    # then
    assert queue_dossiers(staff.approver, "overdue", at=now).get() == overdue
    assert list(queue_dossiers(staff.approver, "near_due", at=now)) == [near]
    calendar = unit_calendar(Unit.objects.get(pk=near.receiving_unit_id))
    near.refresh_from_db()
    assert near.due_at is not None
    assert calendar.working_time_between(now, near.due_at) <= calendar.day_length
    assert is_near_due(near, now)
    assert not is_near_due(far, now)
    assert not is_near_due(overdue, now)
    # one working day later the 12-day dossier is not near yet; on its last working day it is
    far.refresh_from_db()
    assert far.due_at is not None
    last_day = far.due_at - timedelta(hours=2)
    assert far in queue_dossiers(staff.approver, "near_due", at=last_day)
    assert (
        queue_dossiers(staff.approver, "overdue", at=far.due_at + timedelta(days=3))
        .filter(pk=far.pk)
        .exists()
    )
    # the page shows the counts, and the badges in the list
    client = client_of(staff.approver)
    counts = tabs(client)
    assert (counts["near_due"], counts["overdue"]) == (1, 1)
    html = client.get("/can-bo/", {"tab": "near_due"}).content.decode()
    assert "Sắp đến hạn" in html
    assert near.code in html


def test_inspectors_watch_overdue_dossiers_of_their_province(staff: Staff, client_of: Clients) -> None:
    overdue = dossier_in(staff, "processing")
    assert listed(client_of(staff.inspector), tab="overdue") == [overdue.pk]


def test_search_by_code_name_or_exact_id_number(staff: Staff, client_of: Clients) -> None:
    # given
    first = dossier_in(staff, "received", name="Nông Văn A")
    second = dossier_in(
        staff, "received", at=vn("2026-03-10 08:00"), name="Hoàng Thị Bích", id_number="001188000456"
    )
    client = client_of(staff.desk)
    # then
    assert first.code is not None
    assert listed(client, "/can-bo/tra-cuu/", q=first.code) == [first.pk]
    assert listed(client, "/can-bo/tra-cuu/", q="thị bích") == [second.pk]
    assert listed(client, "/can-bo/tra-cuu/", q="001188000456") == [second.pk]
    assert listed(client, "/can-bo/tra-cuu/", q="001188") == []  # an ID number is matched exactly
    assert listed(client, "/can-bo/", tab="to_forward", q="Nông") == [first.pk]
    assert listed(client, "/can-bo/tra-cuu/", received_from="2026-03-10") == [second.pk]
    assert listed(
        client, "/can-bo/tra-cuu/", state="received", channel="direct", sector="HT", procedure="1.001022"
    ) == [second.pk, first.pk]
    assert listed(client, "/can-bo/tra-cuu/", channel="postal") == []


def test_personal_data_is_masked_in_lists(staff: Staff, client_of: Clients) -> None:
    dossier_in(staff, "received")
    html = client_of(staff.desk).get("/can-bo/tra-cuu/").content.decode()
    assert ID_NUMBER not in html
    assert "*********123" in html


def test_lists_have_pages_and_an_htmx_partial(staff: Staff, client_of: Clients) -> None:
    # given
    for i in range(27):
        submit(staff, name=f"Người nộp {i:02d}")
    client = client_of(staff.desk)
    # then
    first = client.get("/can-bo/")
    assert len(first.context["rows"]) == 25
    assert "Trang 1 / 2" in first.content.decode()
    assert len(client.get("/can-bo/", {"page": "2"}).context["rows"]) == 2
    partial = client.get("/can-bo/", {"q": "Người nộp 07"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    html = partial.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="results">')
    assert "Người nộp 07" in html
    assert "Người nộp 08" not in html


def test_another_communes_staff_see_none_of_these_dossiers(staff: Staff, client_of: Clients) -> None:
    dossier = submit(staff)
    client = client_of(staff.other_desk)
    assert tabs(client)["to_accept"] == 0
    assert dossier.pk not in listed(client, "/can-bo/tra-cuu/")
    assert listed(client, "/can-bo/tra-cuu/", q=ID_NUMBER) == []


def test_a_user_without_queues_is_pointed_to_the_search(staff: Staff, client_of: Clients) -> None:
    nobody = User.objects.create_user(username="nobody", password="correct-horse-battery")
    html = client_of(nobody).get("/can-bo/").content.decode()
    assert "chưa được giao hàng đợi công việc" in html
