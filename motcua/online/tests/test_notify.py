"""An online submission sends its reference and secret by SMS and e-mail, after the commit; the log keeps neither
the secret nor the recipient; the result message of an online dossier points to the e-result download."""

from __future__ import annotations

import json
import logging
from io import BytesIO
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from conftest import COMMUNE, Staff
from motcua.dossiers import services as s
from motcua.jobs.worker import run_ready_tasks
from motcua.notify.models import NotificationLog, SandboxSms
from motcua.online import services as online
from motcua.online.models import OnlineSubmission

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PHONE, EMAIL = "0912345678", "nong.van.a@example.vn"


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MOTCUA_PUBLIC_URL = "https://motcua.example.vn"
    settings.MOTCUA_SMS_URL = ""  # SMS to the console transport, which the sandbox model does not see
    files = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}
    settings.STORAGES = {**settings.STORAGES, "documents": files}


def submit(*, phone: str = PHONE, email: str = EMAIL, delivery: str = "online") -> OnlineSubmission:
    return online.online_submit(
        procedure_code="1.001022",
        receiving_unit_code=COMMUNE,
        applicant=s.Applicant(name="Nông Văn A", id_number="004090000123", phone=phone, email=email),
        files={"TK": online.Upload("to-khai.pdf", BytesIO(PDF)), "CC": online.Upload("cc.pdf", BytesIO(PDF))},
        delivery=delivery,
    )


def test_the_reference_and_secret_are_sent_by_sms_and_email(
    staff: Staff, caplog: pytest.LogCaptureFixture
) -> None:
    # when
    with transaction.atomic():
        submission = submit()
    secret = submission.dossier.secret
    # then: one message a channel, logged without the secret or the recipient
    logs = list(NotificationLog.objects.order_by("channel"))
    assert [(x.channel, x.template, x.dossier_id) for x in logs] == [
        ("email", "online_submitted", submission.dossier_id),
        ("sms", "online_submitted", submission.dossier_id),
    ]
    stored = json.dumps([x.params for x in logs]) + json.dumps(
        list(DBTaskResult.objects.values("args_kwargs"))
    )
    assert submission.reference in stored
    for private in (secret, PHONE, EMAIL):
        assert private not in stored
    # when the worker sends them
    with caplog.at_level(logging.INFO):
        assert run_ready_tasks() == 2
    # then the e-mail carries both codes and the link to the online dossier page
    [message] = mail.outbox
    assert message.to == [EMAIL]
    assert message.subject == f"Đã nhận hồ sơ nộp trực tuyến {submission.reference}"
    assert f"Mã nộp hồ sơ: {submission.reference}" in message.body
    assert f"Mã tra cứu: {secret}" in message.body
    assert (
        f"https://motcua.example.vn/nop-truc-tuyen/ho-so/?ma={submission.reference}&bi-mat={secret}"
        in message.body
    )
    assert set(NotificationLog.objects.values_list("status", flat=True)) == {"sent"}
    [sms] = [r.getMessage() for r in caplog.records if "SMS (console)" in r.getMessage()]
    assert f"Da nhan ho so nop truc tuyen {submission.reference}" in sms
    assert "Ma tra cuu: ***" in sms  # the console transport logs the text, never the secret
    assert secret not in caplog.text
    assert PHONE not in caplog.text
    assert EMAIL not in caplog.text


def test_a_refused_submission_sends_nothing(staff: Staff) -> None:
    with pytest.raises(Exception):  # noqa: B017, PT011 - the required component's FieldError
        online.online_submit(
            procedure_code="1.001022",
            receiving_unit_code=COMMUNE,
            applicant=s.Applicant(name="Nông Văn A", phone=PHONE, email=EMAIL),
            files={},
            delivery="online",
        )
    assert not NotificationLog.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_no_phone_and_no_email_no_message(staff: Staff) -> None:
    submit(phone="", email="")
    assert not NotificationLog.objects.exists()


def test_the_result_message_of_an_online_dossier_points_to_the_download(staff: Staff) -> None:
    submission = submit()
    d = s.dossier_accept(dossier_id=submission.dossier_id, actor=staff.desk)
    s.dossier_confirm_payment(dossier_id=d.pk, actor=staff.desk, method="cash", amount=15000)
    d = s.dossier_forward(dossier_id=d.pk, actor=staff.desk)
    for action, actor in (("propose", staff.specialist), ("approve", staff.approver)):
        d = s.dossier_act(dossier_id=d.pk, action=action, actor=actor)
    s.dossier_resolve(dossier_id=d.pk, actor=staff.clerk, result_code="TL-12", e_copy=True)
    mail.outbox.clear()
    NotificationLog.objects.exclude(template="result_ready").update(status="skipped")
    run_ready_tasks()
    [message] = [m for m in mail.outbox if "đã có kết quả" in m.body]
    assert "tải về" in message.body
    assert f"ma={submission.reference}" in message.body
    assert "đến Bộ phận Một cửa" not in message.body
    assert not SandboxSms.objects.exists()
