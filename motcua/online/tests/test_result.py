"""Online delivery: the citizen downloads the signed e-result by reference and secret; the first download
records the delivery (method online, system actor), once."""

from __future__ import annotations

from django.test import Client

from conftest import COMMUNE, Staff
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.online.models import OnlineSubmission
from motcua.online.tests.test_views import form, submitted
from motcua.signing import keys
from motcua.signing.services import identity_issue, result_ecopy_sign
from motcua.signing.tests.conftest import plain_pdf
from motcua.signing.verification import pdf_verify


def resolved_online(staff: Staff, submission: OnlineSubmission) -> Dossier:
    d = s.dossier_accept(dossier_id=submission.dossier.pk, actor=staff.desk)
    s.dossier_confirm_payment(dossier_id=d.pk, actor=staff.desk, method="cash", amount=15000)
    d = s.dossier_forward(dossier_id=d.pk, actor=staff.desk)
    for action, actor in (("propose", staff.specialist), ("approve", staff.approver)):
        d = s.dossier_act(dossier_id=d.pk, action=action, actor=actor)
    return s.dossier_resolve(dossier_id=d.pk, actor=staff.clerk, result_code="TL-12", e_copy=True)


def test_the_citizen_downloads_the_signed_e_result_and_it_is_delivered_once(staff: Staff, ca: object) -> None:
    # given a resolved online dossier with a signed e-copy
    submission = submitted(Client())
    dossier = resolved_online(staff, submission)
    identity_issue(unit_code=COMMUNE)
    copy = result_ecopy_sign(
        dossier_id=dossier.pk, filename="ket-qua.pdf", content=plain_pdf(), actor=staff.approver
    )
    client = Client()
    params = {"ma": dossier.code, "bi-mat": dossier.secret}
    assert "Tải kết quả đã ký số" in client.get("/nop-truc-tuyen/ho-so/", params).content.decode()
    # when
    first = client.post("/nop-truc-tuyen/ho-so/ket-qua/", params)
    second = client.post("/nop-truc-tuyen/ho-so/ket-qua/", {**params, "ma": submission.reference})
    # then
    assert first.status_code == 200
    assert 'filename="ket-qua.pdf"' in first["Content-Disposition"]
    body = b"".join(first.streaming_content)  # type: ignore[attr-defined]
    assert keys.sha256_hex(body) == copy.sha256
    assert pdf_verify(body).valid
    assert b"".join(second.streaming_content) == body  # type: ignore[attr-defined]
    dossier.refresh_from_db()
    assert dossier.state == "delivered"
    delivers = DossierEvent.objects.filter(dossier=dossier, action="deliver")
    assert [(e.actor_id, e.payload.get("method")) for e in delivers] == [(None, "online")]
    submission.refresh_from_db()
    assert submission.result_downloaded_at is not None


def test_nothing_to_download_before_the_result_or_with_a_wrong_secret(staff: Staff, ca: object) -> None:
    submission = submitted(Client())
    other = submitted(Client())
    params = {"ma": submission.reference, "bi-mat": submission.dossier.secret}
    assert Client().post("/nop-truc-tuyen/ho-so/ket-qua/", params).status_code == 409
    wrong = Client().post("/nop-truc-tuyen/ho-so/ket-qua/", {**params, "bi-mat": other.dossier.secret})
    assert wrong.status_code == 404


def test_a_result_received_at_the_desk_is_not_downloaded_online(staff: Staff, ca: object) -> None:
    client = Client()
    assert client.post("/nop-truc-tuyen/1.001022/", form(delivery="desk")).status_code == 302
    submission = OnlineSubmission.objects.get()
    dossier = resolved_online(staff, submission)
    identity_issue(unit_code=COMMUNE)
    result_ecopy_sign(dossier_id=dossier.pk, filename="kq.pdf", content=plain_pdf(), actor=staff.approver)
    params = {"ma": dossier.code, "bi-mat": dossier.secret}
    assert Client().post("/nop-truc-tuyen/ho-so/ket-qua/", params).status_code == 409
    dossier.refresh_from_db()
    assert dossier.state == "resolved"


def test_the_public_lookup_links_an_online_dossier_to_its_online_page(staff: Staff, ca: object) -> None:
    submission = submitted(Client())
    d = s.dossier_accept(dossier_id=submission.dossier.pk, actor=staff.desk)
    page = Client().get("/tra-cuu/", {"ma": d.code, "bi-mat": d.secret}).content.decode()
    assert "/nop-truc-tuyen/ho-so/?ma=" in page
