"""The public postal service through the sandbox carrier over real HTTP: lodging, return, webhooks, figures."""

from __future__ import annotations

import json
import time
from datetime import date

import pytest
from django.test import Client

from conftest import COMMUNE, Staff, vn
from motcua.catalogue.models import Unit
from motcua.core.errors import Forbidden, NotFound, StateError
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.postal import services
from motcua.postal.carrier import Address, sign
from motcua.postal.models import Shipment, ShipmentEvent
from motcua.postal.selectors import mask_address, postal_figures, shipment_rows
from motcua.postal.tests.conftest import sandbox_event

CITIZEN = Address(name="Nông Văn A", address="Số 5, Tổ 3, Xã Đông Khê, Tỉnh Cao Bằng", phone="0912345678")
APPLICANT = s.Applicant(
    name="Nông Văn A",
    id_number="004090000123",
    phone="0912345678",
    address="Số 5, Tổ 3, Xã Đông Khê, Tỉnh Cao Bằng",
)


def resolved(staff: Staff) -> Dossier:
    d = s.dossier_submit(
        procedure_code="1.001022",
        receiving_unit_code=COMMUNE,
        channel="direct",
        applicant=APPLICANT,
        actor=staff.desk,
        at=vn("2026-03-09 08:00"),
    )
    d = s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))
    d = s.dossier_forward(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:05"))
    return s.dossier_resolve(
        dossier_id=d.pk, actor=staff.clerk, result_code="TL-1", at=vn("2026-03-10 10:00")
    )


@pytest.mark.django_db(transaction=True)
def test_a_dossier_lodged_by_post_is_submitted_at_the_hand_over_instant(
    staff: Staff, carrier_on_live_server: str
) -> None:
    base = carrier_on_live_server
    # given the citizen hands the dossier to the post office
    shipment = services.postal_lodging_create(unit_code=COMMUNE, sender=CITIZEN, actor=staff.desk)
    assert shipment.tracking_code.startswith("EB")
    assert shipment.tracking_code.endswith("VN")
    assert len(shipment.tracking_code) == 13
    assert shipment.fee == 22000
    assert (shipment.direction, shipment.status, shipment.carrier) == ("lodging", "created", "vnpost")
    # when the carrier picks it up, carries it and delivers it to the center, each reported by signed webhook
    for status, at in (
        ("picked_up", "2026-03-09 07:30"),
        ("in_transit", "2026-03-09 08:10"),
        ("delivered", "2026-03-09 10:15"),
    ):
        answer = sandbox_event(base, shipment.tracking_code, status=status, at=vn(at).isoformat())
        assert answer["webhook_status"] == 200
    shipment.refresh_from_db()
    assert (shipment.status, shipment.delivered_at) == ("delivered", vn("2026-03-09 10:15"))
    # and the receiver signs the hand-over minutes
    other = services.postal_lodging_create(unit_code=COMMUNE, sender=CITIZEN, actor=staff.desk)
    with pytest.raises(StateError):  # not before the parcel has arrived (another shipment, still "created")
        services.postal_lodge(
            shipment_id=other.pk, procedure_code="1.001022", applicant=APPLICANT, actor=staff.desk
        )
    dossier = services.postal_lodge(
        shipment_id=shipment.pk,
        procedure_code="1.001022",
        applicant=APPLICANT,
        actor=staff.desk,
        components=[s.ComponentIn(code="TK")],
    )
    # then
    assert (dossier.channel, dossier.submitted_at, dossier.state) == (
        "postal",
        vn("2026-03-09 10:15"),
        "submitted",
    )
    assert dossier.external_ref == f"postal:{shipment.tracking_code}"
    shipment.refresh_from_db()
    assert (shipment.dossier_id, shipment.handed_over_at) == (dossier.pk, vn("2026-03-09 10:15"))
    # the carrier's tracking adds the one event it did not post (created), and nothing twice
    assert services.shipment_sync(shipment_id=shipment.pk) == 1
    assert services.shipment_sync(shipment_id=shipment.pk) == 0
    statuses = ShipmentEvent.objects.filter(shipment=shipment).values_list("status", flat=True)
    assert sorted(statuses) == ["created", "delivered", "in_transit", "picked_up"]
    shipment.refresh_from_db()
    assert shipment.status == "delivered"  # the late "created" event does not move it back


@pytest.mark.django_db(transaction=True)
def test_a_result_returned_by_post_is_delivered_when_the_carrier_reports_delivery(
    staff: Staff, carrier_on_live_server: str
) -> None:
    base = carrier_on_live_server
    # given a resolved dossier whose result goes by post to the applicant's address
    d = resolved(staff)
    shipment = services.postal_return_create(dossier_id=d.pk, actor=staff.desk)
    assert (shipment.direction, shipment.dossier_id, shipment.recipient_address) == (
        "return",
        d.pk,
        APPLICANT.address,
    )
    # when
    sandbox_event(base, shipment.tracking_code, status="picked_up", at=vn("2026-03-10 14:00").isoformat())
    d.refresh_from_db()
    assert d.state == "resolved"
    delivered = sandbox_event(
        base, shipment.tracking_code, status="delivered", at=vn("2026-03-11 09:30").isoformat()
    )
    # then
    d.refresh_from_db()
    assert (d.state, d.delivery_method, d.delivered_at) == ("delivered", "postal", vn("2026-03-11 09:30"))
    deliver = DossierEvent.objects.get(dossier=d, action="deliver")
    assert (deliver.actor, deliver.actor_role, deliver.payload["method"]) == (None, "system", "postal")
    # a carrier retrying the same event is answered 200 and changes nothing
    replay = sandbox_event(base, shipment.tracking_code, replay=delivered["EventId"])
    assert replay["webhook_status"] == 200
    assert ShipmentEvent.objects.filter(shipment=shipment).count() == 2
    assert DossierEvent.objects.filter(dossier=d, action="deliver").count() == 1
    # the result was handed over: it cannot be sent again
    with pytest.raises(StateError):
        services.postal_return_create(dossier_id=d.pk, actor=staff.desk)


@pytest.mark.django_db(transaction=True)
def test_a_webhook_with_a_tampered_signature_is_rejected(staff: Staff, carrier_on_live_server: str) -> None:
    d = resolved(staff)
    shipment = services.postal_return_create(dossier_id=d.pk, actor=staff.desk)
    answer = sandbox_event(carrier_on_live_server, shipment.tracking_code, status="delivered", tamper=True)
    assert answer["webhook_status"] == 401
    assert ShipmentEvent.objects.filter(shipment=shipment).count() == 0
    d.refresh_from_db()
    assert d.state == "resolved"


def _post(client: Client, payload: dict[str, object], *, secret: str = "test-secret", age: int = 0) -> object:  # noqa: S107
    body = json.dumps(payload).encode()
    timestamp = str(int(time.time()) - age)
    return client.post(
        "/buu-chinh/webhook/",
        body,
        content_type="application/json",
        HTTP_X_POSTAL_TIMESTAMP=timestamp,
        HTTP_X_POSTAL_SIGNATURE=sign(secret, timestamp, body),
    )


@pytest.mark.django_db
def test_the_webhook_checks_signature_age_and_shape(staff: Staff, settings: object) -> None:
    settings.MOTCUA_POSTAL_WEBHOOK_SECRET = "test-secret"  # type: ignore[attr-defined]
    shipment = Shipment.objects.create(
        direction="lodging",
        tracking_code="EB000000001VN",
        carrier="vnpost",
        unit=Unit.objects.get(code=COMMUNE),
        sender_name="A",
        sender_address="x",
        recipient_name="B",
        recipient_address="y",
        created_at=vn("2026-03-09 08:00"),
    )
    event = {
        "ItemCode": "EB000000001VN",
        "EventId": "e1",
        "OrderStatusId": 2,
        "EventTime": "2026-03-09T09:00:00+07:00",
    }
    client = Client()
    assert _post(client, event, secret="wrong").status_code == 401  # type: ignore[attr-defined]
    assert _post(client, event, age=3600).status_code == 401  # type: ignore[attr-defined]
    assert _post(client, {**event, "OrderStatusId": 99}).status_code == 400  # type: ignore[attr-defined]
    assert _post(client, {**event, "ItemCode": "EB999999999VN"}).status_code == 404  # type: ignore[attr-defined]
    first = _post(client, event)
    again = _post(client, event)
    assert (first.status_code, first.json()["duplicate"]) == (200, False)  # type: ignore[attr-defined]
    assert (again.status_code, again.json()["duplicate"]) == (200, True)  # type: ignore[attr-defined]
    shipment.refresh_from_db()
    assert (shipment.status, ShipmentEvent.objects.count()) == ("picked_up", 1)
    # an older event arriving late does not move the status back
    _post(client, {**event, "EventId": "e0", "OrderStatusId": 1, "EventTime": "2026-03-09T08:30:00+07:00"})
    shipment.refresh_from_db()
    assert shipment.status == "picked_up"


@pytest.mark.django_db
def test_only_the_units_desk_returns_a_result_by_post(staff: Staff) -> None:
    d = resolved(staff)
    with pytest.raises(NotFound):
        services.postal_return_create(dossier_id=d.pk, actor=staff.other_desk)
    with pytest.raises(Forbidden):
        services.postal_return_create(dossier_id=d.pk, actor=staff.inspector)
    with pytest.raises(Forbidden):
        services.postal_lodging_create(unit_code=COMMUNE, sender=CITIZEN, actor=staff.other_desk)
    assert Shipment.objects.count() == 0


@pytest.mark.django_db
def test_a_result_not_yet_issued_cannot_go_by_post(staff: Staff) -> None:
    d = s.dossier_submit(
        procedure_code="1.001022",
        receiving_unit_code=COMMUNE,
        channel="direct",
        applicant=APPLICANT,
        actor=staff.desk,
        at=vn("2026-03-09 08:00"),
    )
    with pytest.raises(StateError):
        services.postal_return_create(dossier_id=d.pk, actor=staff.desk)


@pytest.mark.django_db
def test_lists_mask_the_address_and_phone(staff: Staff) -> None:
    Shipment.objects.create(
        direction="return",
        tracking_code="EB000000002VN",
        carrier="vnpost",
        unit=Unit.objects.get(code=COMMUNE),
        sender_name="Trung tâm",
        sender_address="Xã Đông Khê",
        recipient_name="Nông Văn A",
        recipient_address=CITIZEN.address,
        recipient_phone="0912345678",
        created_at=vn("2026-03-09 08:00"),
    )
    assert mask_address(CITIZEN.address) == "***, Xã Đông Khê, Tỉnh Cao Bằng"
    [row] = shipment_rows(user=staff.desk)
    assert (row.recipient_address, row.recipient_phone) == ("***, Xã Đông Khê, Tỉnh Cao Bằng", "*******678")
    client = Client()
    client.force_login(staff.desk)
    page = client.get("/can-bo/buu-chinh/").content.decode()
    assert "EB000000002VN" in page
    assert "0912345678" not in page
    assert "Số 5" not in page
    assert shipment_rows(user=staff.other_desk) == []


@pytest.mark.django_db
def test_postal_figures_agree_with_the_periodic_report(staff: Staff) -> None:
    from motcua.reports.periodic import periodic_report

    # given one dossier lodged by post, one returned by post, one direct
    lodged = s.dossier_submit(
        procedure_code="1.001022",
        receiving_unit_code=COMMUNE,
        channel="postal",
        applicant=APPLICANT,
        actor=staff.desk,
        at=vn("2026-03-09 10:15"),
    )
    s.dossier_accept(dossier_id=lodged.pk, actor=staff.desk, at=vn("2026-03-09 10:30"))
    returned = resolved(staff)
    s.dossier_deliver(dossier_id=returned.pk, actor=None, method="postal", at=vn("2026-04-02 09:30"))
    direct = s.dossier_submit(
        procedure_code="1.001022",
        receiving_unit_code=COMMUNE,
        channel="direct",
        applicant=APPLICANT,
        actor=staff.desk,
        at=vn("2026-03-09 11:00"),
    )
    s.dossier_accept(dossier_id=direct.pk, actor=staff.desk, at=vn("2026-03-09 11:05"))
    unit = Unit.objects.get(code=COMMUNE)
    # when
    march = postal_figures(unit=unit, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    april = postal_figures(unit=unit, date_from=date(2026, 4, 1), date_to=date(2026, 4, 30))
    report = periodic_report(unit=unit, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    # then: lodged by post = the report's received.postal; the report's "postal" counts by acceptance in the
    # period (the returned dossier was accepted in March), returns by post count when delivered (April)
    assert (march.lodged_by_post, march.returned_by_post, march.report_postal) == (1, 0, 2)
    assert (april.lodged_by_post, april.returned_by_post, april.report_postal) == (0, 1, 0)
    assert report["received"]["postal"] == march.lodged_by_post
    assert report["postal"] == march.report_postal
