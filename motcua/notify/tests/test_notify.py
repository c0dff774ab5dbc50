"""Notifications: dossier events queue messages after commit, the worker sends them by e-mail and through the
SMS gateway protocol to motcua's own sandbox gateway, and no full phone number or e-mail address is logged."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.tasks.base import TaskResultStatus
from django.test import Client
from django_tasks_db.models import DBTaskResult

from conftest import COMMUNE, Staff, vn
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.jobs.worker import run_ready_tasks
from motcua.notify.backends import HttpSmsGateway, Rejected, ascii_fold, mask_recipient, send, sign
from motcua.notify.config import SANDBOX_KEY, SANDBOX_SECRET, sms_config
from motcua.notify.models import NotificationLog, SandboxSms
from motcua.notify.services import notification_send

pytestmark = pytest.mark.django_db

PHONE = "0912345678"
EMAIL = "nong.van.a@example.vn"


@pytest.fixture(autouse=True)
def _notify_settings(settings) -> None:  # type: ignore[no-untyped-def]
    # the tests replay March 2026: let events of any age send messages; SMS to the console unless a test
    # points it at the sandbox gateway
    settings.MOTCUA_NOTIFY_MAX_AGE_HOURS = 1_000_000
    settings.MOTCUA_SMS_URL = ""
    settings.MOTCUA_PUBLIC_URL = "https://motcua.example.vn"


def client_transport(client: Client):  # type: ignore[no-untyped-def]
    """The gateway client's HTTP transport, carried by Django's test client to the sandbox view."""

    def transport(url: str, headers: Mapping[str, str], body: bytes, timeout: float) -> tuple[int, bytes]:
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
        response = client.post(url, data=body, content_type="application/json", **extra)
        return response.status_code, response.content

    return transport


def submit(staff: Staff, *, phone: str = PHONE, email: str = EMAIL, at: str = "2026-03-09 08:00") -> Dossier:
    return s.dossier_submit(
        procedure_code="1.001022",
        receiving_unit_code=COMMUNE,
        channel="direct",
        applicant=s.Applicant(name="Nông Văn A", id_number="004090000123", phone=phone, email=email),
        actor=staff.desk,
        components=[s.ComponentIn(code="TK", digitized=True)],
        at=vn(at),
    )


def accepted(staff: Staff, **kwargs: str) -> Dossier:
    d = submit(staff, **kwargs)
    return s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))


# --- queueing ---------------------------------------------------------------------------------------------


def test_accepting_a_dossier_queues_one_sms_and_one_email_with_masked_recipients(staff: Staff) -> None:
    # when
    d = accepted(staff)
    # then
    logs = list(NotificationLog.objects.order_by("channel"))
    assert [(x.channel, x.template, x.status, x.dossier_id) for x in logs] == [
        ("email", "dossier_accepted", "queued", d.pk),
        ("sms", "dossier_accepted", "queued", d.pk),
    ]
    assert [x.recipient_masked for x in logs] == ["n***@example.vn", "*******678"]
    assert logs[0].params["code"] == d.code
    assert logs[0].params["appointment"] == "09:00 ngày 12/03/2026"
    # one send task each, whose only argument is the log's id
    assert sorted(t.args_kwargs["args"][0] for t in DBTaskResult.objects.all()) == sorted(x.pk for x in logs)
    stored = json.dumps([x.params for x in logs]) + json.dumps(
        list(DBTaskResult.objects.values("args_kwargs"))
    )
    assert PHONE not in stored
    assert EMAIL not in stored


def test_an_action_that_rolls_back_queues_nothing(staff: Staff) -> None:
    d = submit(staff)

    class Undo(Exception):
        pass

    try:
        with transaction.atomic():
            s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))
            raise Undo
    except Undo:
        pass
    assert not NotificationLog.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert run_ready_tasks() == 0


def test_no_phone_no_email_no_message_and_historic_events_send_nothing(staff, settings) -> None:  # type: ignore[no-untyped-def]
    accepted(staff, phone="", email="")
    assert not NotificationLog.objects.exists()
    settings.MOTCUA_NOTIFY_MAX_AGE_HOURS = 24  # the default: March 2026 is months ago
    accepted(staff)
    assert not NotificationLog.objects.exists()


def test_each_step_of_a_dossier_sends_its_own_template(staff: Staff) -> None:
    # given: a land dossier (fees set by the province, paid while waiting)
    d = s.dossier_submit(
        procedure_code="1.012784",
        receiving_unit_code=COMMUNE,
        channel="direct",
        applicant=s.Applicant(name="Nông Văn A", phone=PHONE),
        actor=staff.desk,
        at=vn("2026-03-09 08:00"),
    )
    # when: it goes through intake, a supplement, payment, an extension and the result
    d = s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))
    d = s.dossier_forward(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:05"))
    d = s.dossier_request_supplement(
        dossier_id=d.pk, actor=staff.land_specialist, reason="Trích lục bản đồ", at=vn("2026-03-10 09:00")
    )
    d = s.dossier_supply_supplement(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-11 09:00"))
    d = s.dossier_request_payment(
        dossier_id=d.pk, actor=staff.land_specialist, amount=100000, at=vn("2026-03-11 10:00")
    )
    d = s.dossier_confirm_payment(
        dossier_id=d.pk, actor=staff.desk, method="cash", amount=100000, at=vn("2026-03-11 11:00")
    )
    d = s.dossier_extend(
        dossier_id=d.pk,
        actor=staff.approver,
        new_appointment=vn("2026-04-03 17:00"),
        reason="cần xác minh thực địa",
        at=vn("2026-03-12 09:00"),
    )
    d = s.dossier_resolve(
        dossier_id=d.pk, actor=staff.approver, result_code="QĐ-1", at=vn("2026-03-20 09:00")
    )
    run_ready_tasks()
    # then: one SMS per step, in order, each sent
    logs = list(NotificationLog.objects.order_by("id"))
    assert [x.template for x in logs] == [
        "dossier_accepted",
        "supplement_requested",
        "payment_received",
        "extension_apology",
        "result_ready",
    ]
    assert {x.status for x in logs} == {"sent"}
    assert logs[1].params["reason"] == "Trích lục bản đồ"
    assert logs[2].params["amount"] == "100.000 đồng"
    assert logs[2].params["receipt_number"] == f"{d.code}-BL01"
    assert logs[3].params["appointment"] == "17:00 ngày 03/04/2026"


# --- sending ----------------------------------------------------------------------------------------------


def test_the_worker_sends_the_email_and_the_console_sms_without_logging_personal_data(
    staff: Staff, caplog: pytest.LogCaptureFixture
) -> None:
    # given
    d = accepted(staff)
    # when
    with caplog.at_level(logging.DEBUG):
        assert run_ready_tasks() == 2
    # then: both sent
    assert set(NotificationLog.objects.values_list("status", flat=True)) == {"sent"}
    assert all(t.status == TaskResultStatus.SUCCESSFUL for t in DBTaskResult.objects.all())
    # the e-mail, in Vietnamese, with the appointment and the lookup link
    [message] = mail.outbox
    assert message.to == [EMAIL]
    assert message.subject == f"Hồ sơ {d.code} đã được tiếp nhận"
    assert "Ngày hẹn trả kết quả: 09:00 ngày 12/03/2026" in message.body
    assert f"https://motcua.example.vn/tra-cuu/?ma={d.code}&bi-mat={d.secret}" in message.body
    # the SMS went to the console log, unaccented, with the recipient masked
    sms_lines = [r.getMessage() for r in caplog.records if "SMS (console)" in r.getMessage()]
    assert sms_lines == [
        f"SMS (console) to *******678: Xa Dong Khe: Ho so {d.code} (Thu tuc dang ky nhan cha, me, con) da duoc "
        f"tiep nhan. Hen tra ket qua: 09:00 ngay 12/03/2026. Tra cuu: "
        f"https://motcua.example.vn/tra-cuu/?ma={d.code}&bi-mat=***"
    ]  # the lookup secret is not logged either
    assert d.secret not in caplog.text
    assert PHONE not in caplog.text
    assert EMAIL not in caplog.text


def test_an_sms_goes_through_the_gateway_protocol_to_the_sandbox_once(staff, client, settings) -> None:  # type: ignore[no-untyped-def]
    # given: an SMS queued for an accepted dossier, and the sandbox gateway as the configured gateway
    settings.MOTCUA_SMS_URL = "http://testserver/sandbox/sms/"
    d = accepted(staff, email="")
    log = NotificationLog.objects.get(channel="sms")
    transport = client_transport(client)
    # when: it is sent, then sent again as if the worker had died before recording the success
    assert notification_send(log_id=log.pk, transport=transport) == "sent"
    NotificationLog.objects.filter(pk=log.pk).update(status="queued")
    assert notification_send(log_id=log.pk, transport=transport) == "sent"
    # then: the gateway received it once, signed, unaccented, the number masked in its records
    [sms] = SandboxSms.objects.all()
    assert (sms.request_id, sms.brandname, sms.phone_masked) == (log.uuid.hex, "MOTCUA", "********678")
    assert sms.message.startswith(f"Xa Dong Khe: Ho so {d.code} (Thu tuc dang ky nhan cha, me, con) da duoc")
    log.refresh_from_db()
    assert (log.status, log.attempts, log.provider_id) == ("sent", 2, sms.message_id)
    listing = client.get("/sandbox/sms/").json()["messages"]
    assert [m["phone"] for m in listing] == ["********678"]


def test_the_worker_sends_sms_over_real_http_to_the_live_sandbox(staff: Staff, live_server, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MOTCUA_SMS_URL = f"{live_server.url}/sandbox/sms/"
    d = accepted(staff, email="")
    assert run_ready_tasks() == 1
    assert NotificationLog.objects.get().status == "sent"
    assert SandboxSms.objects.get().message.startswith(f"Xa Dong Khe: Ho so {d.code}")


def test_a_gateway_outage_is_retried_with_backoff_then_the_message_is_marked_failed(staff, settings) -> None:  # type: ignore[no-untyped-def]
    # given: a gateway nobody listens at
    settings.MOTCUA_SMS_URL = "http://127.0.0.1:9/sms"
    accepted(staff, email="")
    now = vn("2026-03-09 09:00")
    # when: the worker tries each time the task is due
    for _ in range(6):
        run_ready_tasks(now=now)
        task = DBTaskResult.objects.get()
        if task.status != TaskResultStatus.READY:
            break
        now = task.run_after
    # then: six attempts, 1-2-4-8-16 minutes apart, then failed
    log = NotificationLog.objects.get()
    assert (log.status, log.attempts) == ("failed", 6)
    assert "unreachable" in log.error
    assert task.status == TaskResultStatus.FAILED
    assert now == vn("2026-03-09 09:31")


def test_a_number_the_gateway_refuses_fails_at_once_without_retries(staff, client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MOTCUA_SMS_URL = "http://testserver/sandbox/sms/"
    accepted(staff, phone="123456789", email="")
    log = NotificationLog.objects.get()
    assert notification_send(log_id=log.pk, transport=client_transport(client)) == "failed"
    log.refresh_from_db()
    assert (log.status, log.attempts) == ("failed", 1)
    assert "123456789" not in log.error
    assert notification_send(log_id=log.pk, transport=client_transport(client)) == "failed"  # not again
    assert not SandboxSms.objects.exists()


# --- the sandbox gateway ----------------------------------------------------------------------------------


def _post(
    client: Client,
    body: dict[str, object],
    *,
    key: str = SANDBOX_KEY,
    secret: str = SANDBOX_SECRET,
    timestamp: str | None = None,
):  # type: ignore[no-untyped-def]
    import time

    raw = json.dumps(body).encode()
    ts = timestamp or str(int(time.time()))
    return client.post(
        "/sandbox/sms/",
        data=raw,
        content_type="application/json",
        HTTP_X_API_KEY=key,
        HTTP_X_TIMESTAMP=ts,
        HTTP_X_SIGNATURE=sign(secret, ts, raw),
    )


def test_the_sandbox_checks_key_signature_time_and_number(client: Client) -> None:
    body = {"brandname": "MOTCUA", "phone": "84912345678", "message": "Xin chao", "request_id": "r1"}
    assert _post(client, body, key="wrong").status_code == 401
    assert _post(client, body, secret="wrong").status_code == 401
    assert _post(client, body, timestamp="1000").status_code == 401
    assert _post(client, {**body, "phone": "12345"}).status_code == 422
    assert _post(client, {"phone": "84912345678"}).status_code == 400
    ok = _post(client, body)
    assert ok.status_code == 200
    assert ok.json()["code"] == "00"
    again = _post(client, body)
    assert again.json() == {**ok.json(), "duplicate": True}
    assert SandboxSms.objects.count() == 1


def test_the_sandbox_is_off_in_production(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MOTCUA_SMS_SANDBOX = "0"
    assert client.get("/sandbox/sms/").status_code == 404


# --- the pieces -------------------------------------------------------------------------------------------


def test_masks_and_ascii_folding() -> None:
    assert mask_recipient("sms", "0912 345 678") == "*******678"
    assert mask_recipient("email", "nong.van.a@example.vn") == "n***@example.vn"
    assert ascii_fold("Hồ sơ đã được tiếp nhận — Đông Khê") == "Ho so da duoc tiep nhan  Dong Khe"


def test_send_refuses_an_unknown_channel_and_a_foreign_number(client: Client) -> None:
    with pytest.raises(ValueError, match="channel"):
        send("fax", PHONE, "result_ready", {})
    gateway = HttpSmsGateway(sms_config(), client_transport(client))
    with pytest.raises(Rejected):
        gateway.send("+1 555 0100", "hi", request_id="x")


def test_notification_templates_render_in_vietnamese() -> None:
    from motcua.notify.backends import render

    context = {
        "code": "000.31.00.H11-260309-0001",
        "procedure": "Khai sinh",
        "unit": "Xã Đông Khê",
        "appointment": "17:00 ngày 12/03/2026",
        "lookup_url": "https://x/tra-cuu/",
        "reason": "lý do",
        "amount": "15.000 đồng",
        "receipt_number": "BL01",
        "secret": "ABCD",
    }
    for template in (
        "dossier_accepted",
        "supplement_requested",
        "result_ready",
        "extension_apology",
        "payment_received",
    ):
        email = render("email", template, context)
        sms = render("sms", template, context)
        assert "000.31.00.H11-260309-0001" in email.subject + email.body
        assert "\n" not in sms.body
        assert "&amp;" not in email.body
    assert (
        "Hẹn lại ngày trả kết quả: 17:00 ngày 12/03/2026" in render("sms", "extension_apology", context).body
    )


def test_retry_delay_of_the_send_task() -> None:
    from motcua.jobs.retry import policy_for
    from motcua.notify.tasks import notification_send_task

    policy = policy_for(notification_send_task.module_path)
    assert [policy.delay(n) for n in range(1, 6)] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]


# --- e-mail through Django's SMTP backend, to a minimal SMTP server -----------------------------------------


class _SmtpHandler:
    """Just enough SMTP (RFC 5321) to receive messages: EHLO, MAIL, RCPT, DATA, QUIT."""

    @staticmethod
    def make(received: list[tuple[list[str], bytes]]):  # type: ignore[no-untyped-def]
        import socketserver

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.wfile.write(b"220 sandbox ESMTP\r\n")
                recipients: list[str] = []
                data: list[bytes] | None = None
                while line := self.rfile.readline():
                    if data is not None:
                        if line == b".\r\n":
                            received.append((recipients, b"".join(data)))
                            recipients, data = [], None
                            self.wfile.write(b"250 queued\r\n")
                        else:
                            data.append(line)
                        continue
                    verb = line[:4].upper()
                    if verb == b"RCPT":
                        recipients.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                    if verb == b"DATA":
                        data = []
                        self.wfile.write(b"354 go on\r\n")
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

        return Handler


def test_email_goes_through_djangos_smtp_backend(staff: Staff, settings) -> None:  # type: ignore[no-untyped-def]
    import socketserver
    import threading
    from email import message_from_bytes, policy

    from motcua.notify.config import email_settings

    received: list[tuple[list[str], bytes]] = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler.make(received))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        settings.MAILERS = email_settings({"MOTCUA_EMAIL_URL": f"smtp://127.0.0.1:{port}?tls=0"})["MAILERS"]
        d = accepted(staff, phone="")
        assert run_ready_tasks() == 1
    finally:
        server.shutdown()
        server.server_close()
    [(recipients, raw)] = received
    assert recipients == [EMAIL]
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == f"Hồ sơ {d.code} đã được tiếp nhận"
    log = NotificationLog.objects.get()
    assert message["Message-ID"] == f"<{log.uuid.hex}@motcua>"
    assert "09:00 ngày 12/03/2026" in message.get_body().get_content()  # type: ignore[union-attr]
    assert log.status == "sent"
