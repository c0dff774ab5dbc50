"""A citizen submits online on a phone and receives a signed e-result (issue 7): procedure page, form with
uploads, confirmation with reference and secret (also sent by SMS); the fees, due first, paid in the sandbox
gateway before acceptance (held, then recorded when the desk accepts); a supplement requested and answered
online; the result signed and downloaded, and the downloaded file verifies.

Officers' steps go through the same services as the staff UI (the staff pages have their own browser tests);
every citizen page is clicked through at a phone's size (390×844) and saved as a screenshot.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conftest import COMMUNE, Staff
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, DossierEvent, Payment
from motcua.notify.models import NotificationLog
from motcua.online.models import OnlineSubmission
from motcua.payments.conf import SANDBOX_SECRET
from motcua.signing.models import SignedResultCopy
from motcua.signing.services import identity_issue
from motcua.signing.tests.conftest import plain_pdf
from motcua.signing.verification import pdf_verify
from tests.browser.conftest import Shots, new_page, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PROCEDURE = "Thủ tục đăng ký nhận cha, mẹ, con"


@pytest.fixture
def site(live_server: Any, settings: Any, staff: Staff, ca: object) -> str:
    """The live server with the sandbox payment gateway, the local CA (the signing module's ``ca`` fixture, which
    also gives documents their own storage) and the commune's seal."""
    url = str(live_server.url)
    settings.MOTCUA_PAYMENT_GATEWAY_URL = url + "/sandbox/payment/"
    settings.MOTCUA_PAYMENT_IPN_URL = url + "/thanh-toan/ipn/"
    settings.MOTCUA_PAYMENT_SECRET = SANDBOX_SECRET
    settings.MOTCUA_PAYMENT_SANDBOX = "1"
    identity_issue(unit_code=COMMUNE)
    return url


def phone_page(browser: Any, problems: list[str]) -> Any:
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 390, "height": 844}, is_mobile=True, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {urlsplit(r.url).path}") if r.status >= 400 else None,
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    return page


def off_the_loop(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Signing and verifying run their own asyncio loop (pyHanko): not in this thread, where Playwright's runs."""
    from django.db import connections

    def call() -> Any:
        try:
            return fn(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def open_dossier(page: Any, base: str, reference: str, secret: str) -> None:
    page.goto(f"{base}/nop-truc-tuyen/ho-so/")
    page.get_by_label("Mã nộp hồ sơ hoặc Mã hồ sơ").fill(reference)
    page.get_by_label("Mã tra cứu").fill(secret)
    page.get_by_role("button", name="Xem hồ sơ").click()


def test_a_citizen_submits_online_pays_supplements_and_downloads_the_signed_result(
    browser: Any, site: str, staff: Staff, shots: Shots
) -> None:
    from playwright.sync_api import expect

    problems: list[str] = []
    page = phone_page(browser, problems)

    # the procedure page: the citizen chooses the procedure
    page.goto(f"{site}/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nộp hồ sơ trực tuyến")
    shots(page, "procedures")
    page.get_by_role("link", name=PROCEDURE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PROCEDURE)

    # the form: applicant, one file per component, result online
    page.get_by_label("Nộp hồ sơ tới").select_option(label="Xã Đông Khê")
    page.get_by_label("Họ và tên người nộp").fill("Nông Văn Minh")
    page.get_by_label("Số định danh cá nhân (CCCD)").fill("004090000123")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Địa chỉ thường trú").fill("Xóm Nà Pò, xã Đông Khê")
    page.set_input_files(
        "#tp-TK", files=[{"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": plain_pdf()}]
    )
    page.set_input_files("#tp-CC", files=[{"name": "chung-cu.png", "mimeType": "image/png", "buffer": PNG}])
    page.get_by_label("Nhận kết quả điện tử trực tuyến").check()
    shots(page, "form")
    page.get_by_role("button", name="Nộp hồ sơ").click()

    # the confirmation: reference and secret
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã nộp hồ sơ trực tuyến")
    reference = page.locator("#reference").inner_text()
    secret = page.locator("#secret").inner_text()
    shots(page, "confirmation")
    submission = OnlineSubmission.objects.select_related("dossier").get(reference=reference)
    dossier = submission.dossier
    assert (dossier.state, dossier.channel, dossier.secret) == ("submitted", "online", secret)
    assert dossier.components.filter(digitized=True).count() == 2
    sms = NotificationLog.objects.get(dossier=dossier, channel="sms")
    assert (sms.template, sms.params["reference"], sms.recipient_masked) == (
        "online_submitted",
        reference,
        "*******678",
    )

    # the fees are due first: the citizen pays right away in the sandbox gateway, before acceptance
    page.get_by_role("button", name="Thanh toán trực tuyến").click()
    page.wait_for_url("**/sandbox/payment/paymentv2/vpcpay.html?**")
    shots(page, "sandbox-gateway")
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    page.wait_for_url("**/thanh-toan/ket-qua/**")
    expect(page.locator("[data-outcome]")).to_have_attribute("data-outcome", "held")
    shots(page, "paid-before-acceptance")
    assert not Payment.objects.filter(dossier=dossier).exists()  # held until the desk accepts

    # the desk accepts it (its inbox holds the submitted dossier): the held payment is recorded
    dossier = s.dossier_accept(dossier_id=dossier.pk, actor=staff.desk)
    assert [(p.method, int(p.amount)) for p in Payment.objects.filter(dossier=dossier)] == [("online", 15000)]
    open_dossier(page, site, reference, secret)
    expect(page.locator("#dossier-code")).to_have_text(dossier.code)
    expect(page.get_by_text("Đã nộp phí, lệ phí")).to_be_visible()
    expect(page.get_by_role("button", name="Thanh toán trực tuyến")).to_have_count(0)
    shots(page, "accepted-and-paid")
    with page.expect_download() as receipt_info:  # the signed receipt (Form 01), as the desk would hand over
        page.get_by_role("button", name="Tải Giấy tiếp nhận (bản ký số)").click()
    assert receipt_info.value.suggested_filename == f"giay-tiep-nhan-{dossier.code}.pdf"
    assert off_the_loop(pdf_verify, Path(receipt_info.value.path()).read_bytes()).valid

    # a specialist asks for a clearer copy; the citizen answers online with the same code and secret
    s.dossier_forward(dossier_id=dossier.pk, actor=staff.desk)
    s.dossier_request_supplement(
        dossier_id=dossier.pk, actor=staff.specialist, reason="Bản chụp chứng cứ bị mờ"
    )
    open_dossier(page, site, dossier.code, secret)
    expect(page.get_by_role("heading", name="Bổ sung hồ sơ")).to_be_visible()
    page.set_input_files(
        "#tp-CC",
        files=[{"name": "chung-cu-ro.pdf", "mimeType": "application/pdf", "buffer": plain_pdf() + b"\n"}],
    )
    shots(page, "supplement")
    page.get_by_role("button", name="Gửi hồ sơ bổ sung").click()
    expect(page.get_by_role("status")).to_contain_text("Đã nhận hồ sơ bổ sung")
    shots(page, "supplement-sent")
    dossier.refresh_from_db()
    assert dossier.state == "processing"

    # approved, resolved; the approver signs the e-result with the commune's seal on the dossier page
    for action, actor in (("propose", staff.specialist), ("approve", staff.approver)):
        s.dossier_act(dossier_id=dossier.pk, action=action, actor=actor)
    s.dossier_resolve(dossier_id=dossier.pk, actor=staff.clerk, result_code="TL-12", e_copy=True)
    office = new_page(browser, problems=problems)
    sign_in(office, site, staff.approver.username)
    office.goto(f"{site}/can-bo/ho-so/{dossier.pk}/")
    office.set_input_files(
        "#sign-file", files=[{"name": "ket-qua.pdf", "mimeType": "application/pdf", "buffer": plain_pdf()}]
    )
    office.get_by_label("Ký bằng dấu của cơ quan").check()
    office.get_by_role("button", name="Ký số và lưu").click()
    expect(office.locator("#signatures").get_by_role("link", name="Tải về")).to_be_visible()
    shots(office, "staff-signs-the-result")
    copy = SignedResultCopy.objects.get(result__dossier=dossier)

    # the citizen downloads the signed e-result: it verifies, and the dossier is delivered online
    open_dossier(page, site, reference, secret)
    expect(page.get_by_text("Kết quả điện tử đã ký số sẵn sàng để tải về")).to_be_visible()
    shots(page, "result-ready")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Tải kết quả đã ký số").click()
    download = download_info.value
    assert download.suggested_filename == "ket-qua.pdf"
    body = Path(download.path()).read_bytes()
    verified = off_the_loop(pdf_verify, body)
    assert verified.valid, verified
    assert len(body) == copy.size
    delivered = Dossier.objects.get(pk=dossier.pk)
    assert delivered.state == "delivered"
    deliver = DossierEvent.objects.get(dossier=delivered, action="deliver")
    assert (deliver.actor_id, deliver.payload["method"]) == (None, "online")
    open_dossier(page, site, reference, secret)
    expect(page.locator("#state")).to_have_text("Đã trả kết quả")
    shots(page, "delivered")
    assert problems == []
