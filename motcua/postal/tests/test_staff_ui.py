"""The staff screens of the public postal service, over HTTP with the Django test client, the carrier being
motcua's sandbox on the live server: register a lodging, hand it over, return a result by post, sync."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import COMMUNE, Staff, vn
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.postal import services
from motcua.postal.carrier import Address
from motcua.postal.models import Shipment, ShipmentEvent
from motcua.postal.tests.conftest import sandbox_event
from motcua.postal.tests.test_postal import APPLICANT, CITIZEN, resolved

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/can-bo/buu-chinh/"
SENDER = {
    "sender_name": "Nông Văn A",
    "sender_address": "Số 5, Tổ 3, Xã Đông Khê, Tỉnh Cao Bằng",
    "sender_phone": "0912345678",
}
HANDED = {
    "procedure": "1.001022",
    "applicant_name": "Nông Văn A",
    "applicant_id_number": "004090000123",
    "applicant_phone": "0912345678",
    "applicant_email": "",
    "applicant_address": "Số 5, Tổ 3, Xã Đông Khê, Tỉnh Cao Bằng",
    "components": ["TK"],
    "handed_over_at": "2026-03-09T10:15",
}


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def html(answer: Any) -> str:
    return str(answer.content.decode())


def delivered_lodging(staff: Staff, base: str, at: str = "2026-03-09 10:15") -> Shipment:
    """A lodging shipment registered through the page and delivered to the center by the sandbox carrier."""
    before = set(Shipment.objects.values_list("pk", flat=True))
    answer = signed_in(staff.desk).post(f"{LIST}dang-ky/", SENDER)
    assert answer.status_code == 302
    shipment = Shipment.objects.exclude(pk__in=before).get()
    for status, when in (("picked_up", "2026-03-09 07:30"), ("delivered", at)):
        event = sandbox_event(base, shipment.tracking_code, status=status, at=vn(when).isoformat())
        assert event["webhook_status"] == 200
    shipment.refresh_from_db()
    return shipment


def test_a_desk_officer_registers_a_lodging_shipment(staff: Staff, carrier_on_live_server: str) -> None:
    client = signed_in(staff.desk)
    page = html(client.get(LIST))
    assert "Đăng ký nhận hồ sơ qua bưu chính" in page
    # when
    answer = client.post(f"{LIST}dang-ky/", SENDER, follow=True)
    # then
    shipment = Shipment.objects.get()
    assert (shipment.direction, shipment.status, shipment.unit.code, shipment.created_by) == (
        "lodging",
        "created",
        COMMUNE,
        staff.desk,
    )
    assert (shipment.sender_name, shipment.sender_address, shipment.sender_phone) == tuple(SENDER.values())
    assert answer.redirect_chain == [(LIST, 302)]
    page = html(answer)
    assert f"Đã đăng ký bưu gửi {shipment.tracking_code}" in page
    assert "22.000" in page
    # the list masks the citizen: given name, commune and province, last 3 digits
    assert "*******678" in page
    assert "***, Xã Đông Khê, Tỉnh Cao Bằng" in page
    assert "0912345678" not in page
    assert "Số 5, Tổ 3" not in page
    assert "Nông Văn A" not in page
    # not delivered yet: no hand-over, but a sync button
    assert f"/can-bo/buu-chinh/{shipment.pk}/ban-giao/" not in page
    assert f"/can-bo/buu-chinh/{shipment.pk}/dong-bo/" in page


def test_a_lodging_with_bad_input_is_refused_naming_the_field(
    staff: Staff, carrier_on_live_server: str
) -> None:
    client = signed_in(staff.desk)
    # a missing sender name: the form comes back with what was typed
    answer = client.post(f"{LIST}dang-ky/", {**SENDER, "sender_name": "  "})
    assert answer.status_code == 422
    page = html(answer)
    assert 'id="id_sender_name_error"' in page
    assert "Số 5, Tổ 3, Xã Đông Khê" in page  # the address typed is kept
    # a phone number that is no phone number
    answer = client.post(f"{LIST}dang-ky/", {**SENDER, "sender_phone": "09ab"})
    assert answer.status_code == 422
    assert 'id="id_sender_phone_error"' in html(answer)
    assert "Số điện thoại phải gồm 9 đến 12 chữ số." in html(answer)
    # a unit that is not the officer's
    answer = client.post(f"{LIST}dang-ky/", {**SENDER, "unit": "000.32.00.H11"})
    assert answer.status_code == 422
    assert "Trung tâm nhận hồ sơ: " in html(answer)
    assert "000.32.00.H11" in html(answer)
    assert Shipment.objects.count() == 0


def test_a_delivered_lodging_is_handed_over_into_a_postal_dossier(
    staff: Staff, carrier_on_live_server: str
) -> None:
    # given a lodging shipment the carrier delivered to the center at 10:15
    shipment = delivered_lodging(staff, carrier_on_live_server)
    client = signed_in(staff.desk)
    hand_over = f"{LIST}{shipment.pk}/ban-giao/"
    assert hand_over in html(client.get(LIST))
    assert "Lập biên bản bàn giao, tiếp nhận" in html(client.get(LIST))
    # the page asks for the procedure first, then offers its components, the sender as applicant, 10:15
    first = html(client.get(hand_over))
    assert '<option value="1.001022"' in first
    assert 'name="applicant_name"' not in first
    form = html(client.get(f"{hand_over}?procedure=1.001022"))
    assert 'value="Nông Văn A"' in form
    assert 'value="2026-03-09T10:15"' in form
    assert 'name="components" value="TK"' in form
    assert 'name="components" value="CC"' in form
    # a hand-over instant before the delivery, and a wrong ID number, are refused next to their fields
    early = client.post(f"{hand_over}?procedure=1.001022", {**HANDED, "handed_over_at": "2026-03-09T09:00"})
    assert early.status_code == 422
    assert 'id="id_handed_over_at_error"' in html(early)
    assert "không được trước thời điểm bưu điện phát" in html(early)
    wrong_id = client.post(f"{hand_over}?procedure=1.001022", {**HANDED, "applicant_id_number": "12345"})
    assert wrong_id.status_code == 422
    assert 'id="id_applicant_id_number_error"' in html(wrong_id)
    assert "Số định danh phải gồm 9 hoặc 12 chữ số." in html(wrong_id)
    assert not Dossier.objects.exists()
    # when the receiver signs the minutes
    answer = client.post(f"{hand_over}?procedure=1.001022", HANDED, follow=True)
    # then a postal dossier is submitted at the hand-over instant, and its page opens
    dossier = Dossier.objects.get()
    assert (dossier.channel, dossier.state, dossier.submitted_at) == (
        "postal",
        "submitted",
        vn("2026-03-09 10:15"),
    )
    assert dossier.external_ref == f"postal:{shipment.tracking_code}"
    assert answer.redirect_chain == [(f"/can-bo/ho-so/{dossier.pk}/", 302)]
    assert f"Đã lập biên bản bàn giao, tiếp nhận bưu gửi {shipment.tracking_code}" in html(answer)
    assert dict(DossierComponent.objects.filter(dossier=dossier).values_list("code", "submitted")) == {
        "TK": True,
        "CC": False,
    }
    shipment.refresh_from_db()
    assert (shipment.dossier_id, shipment.handed_over_at) == (dossier.pk, vn("2026-03-09 10:15"))
    # the dossier page shows the lodging shipment
    assert shipment.tracking_code in html(answer)
    # handing over a second time is refused clearly, and writes nothing
    again = client.post(f"{hand_over}?procedure=1.001022", HANDED)
    assert again.status_code == 409
    assert f"Bưu gửi {shipment.tracking_code} đã được lập biên bản bàn giao, tiếp nhận trước đó" in html(
        again
    )
    assert Dossier.objects.count() == 1
    assert hand_over not in html(client.get(LIST))


def test_the_hand_over_instant_typed_is_the_lodging_instant(
    staff: Staff, carrier_on_live_server: str
) -> None:
    shipment = delivered_lodging(staff, carrier_on_live_server)
    client = signed_in(staff.desk)
    later = client.post(
        f"{LIST}{shipment.pk}/ban-giao/?procedure=1.001022", {**HANDED, "handed_over_at": "2026-03-10T08:30"}
    )
    assert later.status_code == 302
    assert Dossier.objects.get().submitted_at == vn("2026-03-10 08:30")
    # an instant in the future is refused (another delivered shipment)
    other = delivered_lodging(staff, carrier_on_live_server)
    future = client.post(
        f"{LIST}{other.pk}/ban-giao/?procedure=1.001022", {**HANDED, "handed_over_at": "2099-01-01T08:00"}
    )
    assert future.status_code == 422
    assert "không được sau thời điểm hiện tại" in html(future)
    # an unknown procedure is named
    unknown = client.post(f"{LIST}{other.pk}/ban-giao/", {**HANDED, "procedure": "9.999999"})
    assert unknown.status_code == 422
    assert "Thủ tục “9.999999” không có trong danh mục đang áp dụng." in html(unknown)
    assert Dossier.objects.count() == 1


def test_a_shipment_not_yet_delivered_cannot_be_handed_over(
    staff: Staff, carrier_on_live_server: str
) -> None:
    shipment = services.postal_lodging_create(unit_code=COMMUNE, sender=CITIZEN, actor=staff.desk)
    client = signed_in(staff.desk)
    page = html(client.get(f"{LIST}{shipment.pk}/ban-giao/?procedure=1.001022"))
    assert "chưa được phát đến Trung tâm" in page
    assert 'name="applicant_name"' not in page
    answer = client.post(f"{LIST}{shipment.pk}/ban-giao/?procedure=1.001022", HANDED)
    assert answer.status_code == 409
    assert f"Bưu gửi {shipment.tracking_code} chưa được phát đến Trung tâm" in html(answer)
    assert not Dossier.objects.exists()


def test_a_resolved_dossiers_result_is_sent_by_post(staff: Staff, carrier_on_live_server: str) -> None:
    # given a resolved dossier: its page offers the result by post, to the applicant by default
    d = resolved(staff)
    client = signed_in(staff.desk)
    page = html(client.get(f"/can-bo/ho-so/{d.pk}/"))
    assert "Gửi kết quả qua bưu chính" in page
    assert f'action="/can-bo/buu-chinh/ho-so/{d.pk}/gui-ket-qua/"' in page
    assert 'name="recipient_address" value="Số 5, Tổ 3, Xã Đông Khê, Tỉnh Cao Bằng"' in page
    # a recipient without a name is refused next to the field, nothing sent
    bad = client.post(
        f"/can-bo/buu-chinh/ho-so/{d.pk}/gui-ket-qua/", {"recipient_name": "", "recipient_address": "x"}
    )
    assert bad.status_code == 422
    assert 'id="id_recipient_name_error"' in html(bad)
    assert not Shipment.objects.exists()
    # when the officer sends it to another address the citizen asked for
    answer = client.post(
        f"/can-bo/buu-chinh/ho-so/{d.pk}/gui-ket-qua/",
        {
            "recipient_name": "Nông Văn A",
            "recipient_address": "Số 9, Tổ 1, Xã Thạch An, Tỉnh Cao Bằng",
            "recipient_phone": "0987654321",
        },
        follow=True,
    )
    # then
    shipment = Shipment.objects.get()
    assert (shipment.direction, shipment.dossier_id, shipment.status, shipment.created_by) == (
        "return",
        d.pk,
        "created",
        staff.desk,
    )
    assert (shipment.recipient_name, shipment.recipient_address, shipment.recipient_phone) == (
        "Nông Văn A",
        "Số 9, Tổ 1, Xã Thạch An, Tỉnh Cao Bằng",
        "0987654321",
    )
    assert answer.redirect_chain == [(f"/can-bo/ho-so/{d.pk}/", 302)]
    page = html(answer)
    assert f"bưu gửi {shipment.tracking_code}" in page
    # the section lists it, recipient masked, and offers no second sending
    assert "***, Xã Thạch An, Tỉnh Cao Bằng" in page
    assert "*******321" in page
    assert "0987654321" not in page
    assert f"/can-bo/buu-chinh/ho-so/{d.pk}/gui-ket-qua/" not in page
    # posting again is refused clearly
    again = client.post(
        f"/can-bo/buu-chinh/ho-so/{d.pk}/gui-ket-qua/",
        {"recipient_name": "A", "recipient_address": "B, C, D"},
    )
    assert again.status_code == 409
    assert "đang được gửi qua bưu chính" in html(again)
    assert Shipment.objects.count() == 1


def test_the_result_form_answers_htmx_with_the_section(staff: Staff, carrier_on_live_server: str) -> None:
    d = resolved(staff)
    answer = signed_in(staff.desk).post(
        f"/can-bo/buu-chinh/ho-so/{d.pk}/gui-ket-qua/",
        {"recipient_name": "Nông Văn A", "recipient_address": APPLICANT.address, "recipient_phone": ""},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="postal",
    )
    assert answer.status_code == 200
    section = html(answer)
    assert section.lstrip().startswith('<section class="card" id="postal"')
    assert Shipment.objects.get().tracking_code in section
    assert "Đã gửi kết quả hồ sơ" in section


def test_a_dossier_not_resolved_has_no_return_form_and_a_post_is_refused(
    staff: Staff, carrier_on_live_server: str
) -> None:
    d = s.dossier_submit(
        procedure_code="1.001022",
        receiving_unit_code=COMMUNE,
        channel="direct",
        applicant=APPLICANT,
        actor=staff.desk,
        at=vn("2026-03-09 08:00"),
    )
    client = signed_in(staff.desk)
    page = html(client.get(f"/can-bo/ho-so/{d.pk}/"))
    assert "Gửi kết quả qua bưu chính" not in page
    assert "gui-ket-qua" not in page
    answer = client.post(
        f"/can-bo/buu-chinh/ho-so/{d.pk}/gui-ket-qua/",
        {"recipient_name": "Nông Văn A", "recipient_address": APPLICANT.address},
    )
    assert answer.status_code == 409
    assert (
        "Chỉ gửi kết quả qua bưu chính khi hồ sơ có kết quả, chờ trả; hồ sơ "
        f"{d.pk} đang ở trạng thái “Chờ tiếp nhận”." in html(answer)
    )
    assert not Shipment.objects.exists()


def test_officers_of_another_unit_get_404_and_others_403_and_nothing_is_written(
    staff: Staff, carrier_on_live_server: str
) -> None:
    shipment = delivered_lodging(staff, carrier_on_live_server)
    d = resolved(staff)
    events = ShipmentEvent.objects.count()
    # another commune's desk officer does not see Đông Khê's shipments or dossiers
    other = signed_in(staff.other_desk)
    assert shipment.tracking_code not in html(other.get(LIST))
    assert other.get(f"{LIST}{shipment.pk}/ban-giao/").status_code == 404
    assert other.post(f"{LIST}{shipment.pk}/ban-giao/?procedure=1.001022", HANDED).status_code == 404
    assert other.post(f"{LIST}{shipment.pk}/dong-bo/").status_code == 404
    assert other.get(f"/can-bo/buu-chinh/ho-so/{d.pk}/").status_code == 404
    returned = other.post(
        f"/can-bo/buu-chinh/ho-so/{d.pk}/gui-ket-qua/",
        {"recipient_name": "Nông Văn A", "recipient_address": APPLICANT.address},
    )
    assert returned.status_code == 404
    # the province's inspector sees them, but may not act: 403, and no action is offered
    inspector = signed_in(staff.inspector)
    page = html(inspector.get(LIST))
    assert shipment.tracking_code in page
    assert "Đăng ký nhận hồ sơ qua bưu chính" not in page
    assert f"{LIST}{shipment.pk}/ban-giao/" not in page
    assert inspector.get(f"{LIST}{shipment.pk}/ban-giao/").status_code == 403
    assert inspector.post(f"{LIST}{shipment.pk}/ban-giao/?procedure=1.001022", HANDED).status_code == 403
    assert inspector.post(f"{LIST}{shipment.pk}/dong-bo/").status_code == 403
    assert inspector.post(f"{LIST}dang-ky/", SENDER).status_code == 403
    assert (
        inspector.post(
            f"/can-bo/buu-chinh/ho-so/{d.pk}/gui-ket-qua/",
            {"recipient_name": "Nông Văn A", "recipient_address": APPLICANT.address},
        ).status_code
        == 403
    )
    assert "Gửi kết quả qua bưu chính" not in html(inspector.get(f"/can-bo/ho-so/{d.pk}/"))
    # the specialist of the unit works on dossiers, not on the post
    assert signed_in(staff.specialist).post(f"{LIST}{shipment.pk}/dong-bo/").status_code == 403
    assert not Dossier.objects.filter(channel="postal").exists()
    assert Shipment.objects.count() == 1
    assert ShipmentEvent.objects.count() == events
    # a signed-out visitor is sent to the sign-in page
    assert Client().get(LIST).status_code == 302


def test_the_sync_button_records_the_events_a_missed_webhook_did_not(
    staff: Staff, carrier_on_live_server: str, settings: Any
) -> None:
    base = carrier_on_live_server
    # given the carrier's webhooks do not reach motcua (a wrong callback URL at registration)
    settings.MOTCUA_POSTAL_CALLBACK_URL = f"{base}/khong-co-dia-chi-nay/"
    client = signed_in(staff.desk)
    client.post(f"{LIST}dang-ky/", SENDER)
    shipment = Shipment.objects.get()
    for status, at in (("picked_up", "2026-03-09 07:30"), ("delivered", "2026-03-09 10:15")):
        answer = sandbox_event(base, shipment.tracking_code, status=status, at=vn(at).isoformat())
        assert answer["webhook_status"] == 404
    shipment.refresh_from_db()
    assert (shipment.status, ShipmentEvent.objects.count()) == ("created", 0)
    # when the officer presses "Đồng bộ trạng thái"
    answer = client.post(f"{LIST}{shipment.pk}/dong-bo/", follow=True)
    # then the carrier's events are recorded: created, picked up, delivered
    shipment.refresh_from_db()
    assert sorted(ShipmentEvent.objects.values_list("status", flat=True)) == [
        "created",
        "delivered",
        "picked_up",
    ]
    assert (shipment.status, shipment.delivered_at) == ("delivered", vn("2026-03-09 10:15"))
    page = html(answer)
    assert f"Đã đồng bộ bưu gửi {shipment.tracking_code}: 3 sự kiện mới" in page
    assert f"{LIST}{shipment.pk}/ban-giao/" in page  # now it can be handed over
    # pressing again finds nothing new
    again = html(client.post(f"{LIST}{shipment.pk}/dong-bo/", follow=True))
    assert "không có sự kiện mới" in again
    assert ShipmentEvent.objects.count() == 3


def test_the_dossier_section_syncs_a_return_shipment_and_the_carrier_delivery_delivers(
    staff: Staff, carrier_on_live_server: str, settings: Any
) -> None:
    base = carrier_on_live_server
    settings.MOTCUA_POSTAL_CALLBACK_URL = f"{base}/khong-co-dia-chi-nay/"
    d = resolved(staff)
    shipment = services.postal_return_create(
        dossier_id=d.pk, actor=staff.desk, recipient=Address(name="Nông Văn A", address=APPLICANT.address)
    )
    sandbox_event(base, shipment.tracking_code, status="delivered", at=vn("2026-03-11 09:30").isoformat())
    client = signed_in(staff.desk)
    # the dossier page's sync button sends the officer back to the dossier
    answer = client.post(f"{LIST}{shipment.pk}/dong-bo/", {"next": f"/can-bo/ho-so/{d.pk}/"}, follow=True)
    assert answer.redirect_chain == [(f"/can-bo/ho-so/{d.pk}/", 302)]
    d.refresh_from_db()
    assert (d.state, d.delivery_method, d.delivered_at) == ("delivered", "postal", vn("2026-03-11 09:30"))
    # another site is never a "next"
    elsewhere = client.post(f"{LIST}{shipment.pk}/dong-bo/", {"next": "https://example.org/"})
    assert elsewhere["Location"] == LIST
