"""Near-due and overdue alerts for staff: the list on the unit's working calendar, the page, the daily digest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from conftest import COMMUNE, Staff, vn
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.jobs.worker import run_ready_tasks
from motcua.notify.alerts import staff_alerts
from motcua.notify.config import email_settings
from motcua.notify.models import NotificationLog
from motcua.notify.services import staff_digests_queue

pytestmark = pytest.mark.django_db


def accepted(staff: Staff, at: str) -> Dossier:
    """A 3-working-day dossier (1.001022) accepted at ``at``, without the applicant's phone or e-mail."""
    d = s.dossier_submit(
        procedure_code="1.001022",
        receiving_unit_code=COMMUNE,
        channel="direct",
        applicant=s.Applicant(name="Nông Văn A"),
        actor=staff.desk,
        components=[s.ComponentIn(code="TK", digitized=True)],
        at=vn(at) - timedelta(minutes=5),
    )
    return s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn(at))


@pytest.fixture
def three(staff: Staff) -> dict[str, Dossier]:
    return {
        "late": accepted(staff, "2026-03-04 09:00"),  # due Mon 9 Mar 09:00
        "near": accepted(staff, "2026-03-09 09:00"),  # due Thu 12 Mar 09:00
        "later": accepted(staff, "2026-03-11 09:00"),  # due Mon 16 Mar 09:00
    }


def test_overdue_and_near_due_follow_the_units_working_calendar(
    staff: Staff, three: dict[str, Dossier]
) -> None:
    # when: Wednesday 11 March, 10:00
    alerts = staff_alerts(user=staff.desk, at=vn("2026-03-11 10:00"))
    # then: the one due Monday is 2 days late; the one due Thursday 09:00 has 6.5 working hours left
    assert [(a.dossier.pk, a.days_late) for a in alerts.overdue] == [(three["late"].pk, 2)]
    assert [(a.dossier.pk, a.hours_left) for a in alerts.near_due] == [(three["near"].pk, 6.5)]
    # Friday 13 March 16:00: Monday 09:00 is 1.5 working hours away (the weekend does not count)
    alerts = staff_alerts(user=staff.desk, at=vn("2026-03-13 16:00"))
    assert [a.dossier.pk for a in alerts.overdue] == [three["late"].pk, three["near"].pk]
    assert [(a.dossier.pk, a.hours_left) for a in alerts.near_due] == [(three["later"].pk, 2.5)]


def test_a_dossier_due_earlier_today_is_near_due_not_overdue_and_ended_dossiers_are_not_listed(
    staff: Staff, three: dict[str, Dossier]
) -> None:
    alerts = staff_alerts(user=staff.desk, at=vn("2026-03-12 15:00"))  # "near" was due at 09:00 today
    assert [(a.dossier.pk, a.hours_left) for a in alerts.near_due] == [(three["near"].pk, 0.0)]
    s.dossier_forward(dossier_id=three["late"].pk, actor=staff.desk, at=vn("2026-03-12 15:00"))
    s.dossier_resolve(
        dossier_id=three["late"].pk, actor=staff.approver, result_code="X", at=vn("2026-03-12 15:01")
    )
    assert staff_alerts(user=staff.desk, at=vn("2026-03-12 15:05")).overdue == []


def test_staff_of_another_commune_see_no_alerts_of_this_one(staff: Staff, three: dict[str, Dossier]) -> None:
    assert not staff_alerts(user=staff.other_desk, at=vn("2026-03-11 10:00"))
    assert len(staff_alerts(user=staff.inspector, at=vn("2026-03-11 10:00"))) == 2  # the province sees it


def test_the_alerts_page_and_its_partial(staff: Staff, three: dict[str, Dossier], client: Client) -> None:
    assert client.get("/can-bo/canh-bao/").status_code == 302  # sign in first
    client.force_login(staff.desk)
    page = client.get("/can-bo/canh-bao/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cảnh báo hạn giải quyết" in html
    assert "<nav" in html
    for d in three.values():  # months later, all three are overdue
        assert d.code in html
    partial = client.get("/can-bo/canh-bao/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="alerts">') or partial.lstrip().startswith('<div id="alerts">')
    assert three["late"].code in partial
    client.force_login(staff.other_desk)
    assert three["late"].code not in client.get("/can-bo/canh-bao/?partial=1").content.decode()


def test_the_daily_digest_emails_each_staff_member_once_a_working_day(
    staff: Staff, three: dict[str, Dossier], settings
) -> None:  # type: ignore[no-untyped-def]
    settings.MOTCUA_PUBLIC_URL = "https://motcua.example.vn"
    staff.desk.email = "desk@example.vn"
    staff.desk.save()
    staff.other_desk.email = "other@example.vn"  # has nothing to report
    staff.other_desk.save()
    # when: the 07:30 job runs on Thursday, twice
    assert staff_digests_queue(at=vn("2026-03-12 07:30")) == 1
    assert staff_digests_queue(at=vn("2026-03-12 07:45")) == 0
    run_ready_tasks()
    # then: one e-mail to the desk officer with both lists
    [message] = mail.outbox
    assert message.to == ["desk@example.vn"]
    assert message.subject == "[Một cửa] 12/03/2026: 1 hồ sơ quá hạn, 1 hồ sơ sắp đến hạn"
    assert (
        f"- {three['late'].code} — Thủ tục đăng ký nhận cha, mẹ, con — hạn 09:00 ngày 09/03/2026 (quá 3 ngày)"
        in (message.body)
    )
    assert f"- {three['near'].code}" in message.body
    assert "còn 1,5 giờ làm việc" in message.body
    assert "https://motcua.example.vn/can-bo/canh-bao/" in message.body
    log = NotificationLog.objects.get()
    assert (log.template, log.user, log.recipient_masked, log.status) == (
        "staff_digest",
        staff.desk,
        "d***@example.vn",
        "sent",
    )
    # and no digest on a Saturday
    assert staff_digests_queue(at=vn("2026-03-14 07:30")) == 0


@pytest.mark.parametrize(
    ("env", "options"),
    [
        (
            {"MOTCUA_EMAIL_URL": "smtp://u%40x:p%3Aw@mail.example.vn:2525"},
            {
                "host": "mail.example.vn",
                "port": 2525,
                "username": "u@x",
                "password": "p:w",
                "use_tls": True,
                "use_ssl": False,
            },
        ),
        (
            {"MOTCUA_EMAIL_URL": "smtps://u:p@mail.example.vn"},
            {"host": "mail.example.vn", "port": 465, "use_tls": False, "use_ssl": True},
        ),
        (
            {"MOTCUA_SMTP_HOST": "10.0.0.5", "MOTCUA_SMTP_PORT": "25", "MOTCUA_SMTP_TLS": "0"},
            {"host": "10.0.0.5", "port": 25, "use_tls": False, "use_ssl": False},
        ),
    ],
)
def test_email_settings_from_the_environment(env: dict[str, str], options: dict[str, object]) -> None:
    mailer = email_settings(env)["MAILERS"]["default"]  # type: ignore[index]
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert options.items() <= mailer["OPTIONS"].items()


def test_email_settings_default_to_the_masked_console_and_fail_loudly_in_production() -> None:
    from django.core.exceptions import ImproperlyConfigured

    assert email_settings({})["MAILERS"] == {
        "default": {"BACKEND": "motcua.notify.backends.MaskedConsoleEmailBackend"}
    }
    with pytest.raises(ImproperlyConfigured, match="MOTCUA_EMAIL_URL"):
        email_settings({}, production=True)
    assert email_settings({"MOTCUA_EMAIL_URL": "console:"}, production=True)["MAILERS"]
    with pytest.raises(ImproperlyConfigured, match="smtp://"):
        email_settings({"MOTCUA_EMAIL_URL": "http://mail"})
