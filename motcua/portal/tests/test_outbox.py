"""The outbox: one message per event the portal must know, in the event's transaction, in the portal's shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import COMMUNE, Staff
from motcua.core.errors import StateError
from motcua.dossiers import services as s
from motcua.dossiers.models import DossierEvent
from motcua.portal.models import OutboxMessage
from motcua.portal.schema import SCHEMA, schema_text, validate
from motcua.portal.tests.conftest import lodge, play

pytestmark = pytest.mark.django_db


def test_each_event_enqueues_one_message_keyed_by_unit_dossier_and_seq(staff: Staff) -> None:
    # given / when: a dossier through supplements to delivery
    d = play(staff, 1)
    # then
    events = list(DossierEvent.objects.filter(dossier=d).order_by("seq"))
    messages = list(OutboxMessage.objects.filter(dossier=d).order_by("seq"))
    assert [m.seq for m in messages] == [e.seq for e in events] == list(range(1, 8))
    assert [m.idempotency_key for m in messages] == [f"{COMMUNE}:{d.pk}:{n}" for n in range(1, 8)]
    assert [m.portal_status for m in messages] == [1, 2, 4, 5, 4, 9, 10]
    assert {m.status for m in messages} == {"pending"}
    assert [m.payload["isUpdating"] for m in messages] == [False] + [True] * 6


def test_a_cancelled_record_tells_the_portal_nothing_more(staff: Staff) -> None:
    d = play(staff, 5)  # submitted, then cancelled
    assert d.state == "cancelled"
    assert list(OutboxMessage.objects.filter(dossier=d).values_list("seq", flat=True)) == [1]


def test_a_refused_action_writes_no_message(staff: Staff) -> None:
    # given
    d = lodge(staff, 0)
    # when: an action not allowed from "submitted"
    with pytest.raises(StateError):
        s.dossier_resolve(dossier_id=d.pk, actor=staff.approver, result_code="KQ")
    # then: the event and its message roll back together
    assert OutboxMessage.objects.filter(dossier=d).count() == 1


def test_every_message_matches_the_published_schema(staff: Staff) -> None:
    for i in range(6):
        play(staff, i)
    for message in OutboxMessage.objects.all():
        assert validate(message.payload) == [], message.idempotency_key


def test_the_schema_in_docs_is_the_one_the_sandbox_checks() -> None:
    path = Path(__file__).resolve().parents[3] / "docs" / "portal-schema.json"
    assert path.read_text(encoding="utf-8") == schema_text()
    assert json.loads(path.read_text(encoding="utf-8")) == SCHEMA


def test_the_record_uses_the_portals_fields_codes_and_local_instants(staff: Staff) -> None:
    # given: an online dossier that went through a supplement, and one paid online
    supplemented = play(staff, 1)  # channel online
    paid = play(staff, 2)  # channel postal, paid online
    # when
    last = OutboxMessage.objects.filter(dossier=supplemented).order_by("-seq").first()
    assert last is not None
    record = last.payload["data"][0]
    # then
    assert record["MaHoSo"] == supplemented.code
    assert record["MaHoSoHeThong"] == f"{COMMUNE}:{supplemented.pk}"
    assert (record["MaTTHC"], record["MaLinhVuc"], record["KenhThucHien"]) == ("1.001022", "HT", 2)
    assert record["NgayNopHoSo"] == "20260309080100"  # 08:01 in Vietnam
    assert record["NgayTiepNhan"] == "20260309090100"
    assert (record["TrangThaiHoSo"], record["HinhThuc"]) == (10, 0)
    assert [r["NoiDungXuLy"] for r in record["QuaTrinhXuLyHoSo"]] == [
        "submit",
        "accept",
        "forward",
        "request_supplement",
        "supply_supplement",
        "resolve",
        "deliver",
    ]
    assert [r["TrangThai"] for r in record["QuaTrinhXuLyHoSo"]] == [1, 2, 4, 5, 4, 9, 10]
    assert record["TaiLieuNop"] == [
        {
            "MaThanhPhanHoSo": "TK",
            "TenTepDinhKem": "Tờ khai",
            "DuocSoHoa": 1,
            "DuocTaiSuDung": 0,
            "DuocLayTuKhoDMQG": 0,
        },
        {
            "MaThanhPhanHoSo": "CC",
            "TenTepDinhKem": "Chứng cứ",
            "DuocSoHoa": 0,
            "DuocTaiSuDung": 0,
            "DuocLayTuKhoDMQG": 0,
        },
    ]
    (supplement,) = record["DanhSachHoSoBoSung"]
    assert supplement["NgayBoSung"] == "20260309110100"
    assert supplement["NgayTiepNhanBoSung"] == "20260310090100"
    assert supplement["NgayHenTraMoi"] is not None
    assert supplement["NgayHenTraMoi"] != supplement["NgayHenTraTruoc"]
    (result,) = record["DanhSachGiayToKetQua"]
    assert (result["MaGiayToKetQua"], result["CoBanDienTu"]) == ("KQ-1", 1)
    assert record["DuocThanhToanTrucTuyen"] == 0
    paid_record = OutboxMessage.objects.filter(dossier=paid).order_by("-seq").first().payload["data"][0]  # type: ignore[union-attr]
    assert paid_record["KenhThucHien"] == 3
    assert paid_record["DuocThanhToanTrucTuyen"] == 2
    assert paid_record["DanhSachThanhToan"][0]["HinhThucThu"] == 3
    assert paid_record["DanhSachLePhi"] == [{"TenPhiLePhi": "Lệ phí", "LoaiPhiLePhi": 2, "Gia": 15000}]


def test_a_withdrawn_dossier_is_status_7_and_a_refused_one_3(staff: Staff) -> None:
    withdrawn, refused = play(staff, 3), play(staff, 4)
    assert OutboxMessage.objects.filter(dossier=withdrawn).order_by("-seq").first().portal_status == 7  # type: ignore[union-attr]
    assert OutboxMessage.objects.filter(dossier=refused).order_by("-seq").first().portal_status == 3  # type: ignore[union-attr]


def test_the_validator_names_the_place_not_the_personal_value(staff: Staff) -> None:
    play(staff, 0)
    payload = OutboxMessage.objects.order_by("id").first().payload  # type: ignore[union-attr]
    record = payload["data"][0]
    del record["MaTTHC"]
    record["SoDinhDanh"] = "00409000012"  # 11 digits
    record["KenhThucHien"] = "online"
    record["Extra"] = 1
    errors = validate(payload)
    assert "$.data[0].MaTTHC: is required" in errors
    assert "$.data[0].SoDinhDanh: must match ^([0-9]{9}|[0-9]{12})$" in errors
    assert "$.data[0].KenhThucHien: must be of type integer" in errors
    assert "$.data[0].Extra: is not a known field" in errors
    assert not any("00409000012" in e for e in errors)


def docs_example(name: str) -> Any:
    """The JSON block after ``<!-- example: NAME -->`` in docs/integration.md."""
    text = (Path(__file__).resolve().parents[3] / "docs" / "integration.md").read_text(encoding="utf-8")
    block = text.split(f"<!-- example: {name} -->", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    return json.loads(block)


def test_the_sync_message_example_in_the_docs_is_valid() -> None:
    assert validate(docs_example("sync-message")) == []


def test_a_historic_import_enqueues_each_event_with_its_own_status(staff: Staff) -> None:
    from motcua.dossiers.importer import import_dossiers

    # given: a dossier replayed from an older system, all its events reported at once
    line = {
        "procedure": "1.001022",
        "receiving_unit": COMMUNE,
        "channel": "online",
        "submitted_at": "2025-07-02T08:10:00+07:00",
        "applicant": {"name": "Nông Văn A", "id_number": "004090000123"},
        "components": [{"code": "TK", "digitized": True}],
        "events": [
            {"action": "accept", "at": "2025-07-02T08:15:00+07:00"},
            {"action": "forward", "at": "2025-07-02T08:20:00+07:00"},
            {"action": "resolve", "at": "2025-07-03T15:00:00+07:00", "result_code": "KQ-1", "e_copy": True},
            {"action": "deliver", "at": "2025-07-04T09:00:00+07:00", "method": "postal"},
        ],
    }
    # when
    result = import_dossiers([json.dumps(line)], source="old.jsonl")
    # then
    assert result.imported == 1
    messages = list(OutboxMessage.objects.order_by("seq"))
    assert [m.portal_status for m in messages] == [1, 2, 4, 9, 10]
    assert [m.payload["data"][0]["TrangThaiHoSo"] for m in messages] == [1, 2, 4, 9, 10]
    assert [len(m.payload["data"][0]["QuaTrinhXuLyHoSo"]) for m in messages] == [1, 2, 3, 4, 5]
    assert [m.payload["isUpdating"] for m in messages] == [False, True, True, True, True]
    assert all(validate(m.payload) == [] for m in messages)


def test_an_import_sends_only_what_happened_after_the_older_system_synced(staff: Staff) -> None:
    from motcua.dossiers.importer import import_dossiers

    # given: two dossiers the older system had synced, one fully, one up to its acceptance
    def line(ref: str, synced: str) -> dict[str, Any]:
        return {
            "external_ref": ref,
            "procedure": "1.001022",
            "receiving_unit": COMMUNE,
            "channel": "direct",
            "submitted_at": "2025-07-02T08:10:00+07:00",
            "applicant": {"name": "Nông Văn A"},
            "events": [
                {"action": "accept", "at": "2025-07-02T08:15:00+07:00"},
                {"action": "forward", "at": "2025-07-02T08:20:00+07:00"},
                {"action": "resolve", "at": "2025-07-03T15:00:00+07:00", "result_code": "KQ-1"},
            ],
            "synced_to_portal_at": synced,
        }

    # when
    result = import_dossiers(
        [
            json.dumps(line("old:1", "2025-07-03T16:00:00+07:00")),
            json.dumps(line("old:2", "2025-07-02T09:00:00+07:00")),
        ],
        source="old.jsonl",
    )
    # then: nothing for the first, the resolution for the second, as an update of what the portal has
    assert result.imported == 2
    messages = list(OutboxMessage.objects.order_by("dossier__external_ref", "seq"))
    assert [(m.dossier.external_ref, m.portal_status) for m in messages] == [("old:2", 9)]
    assert messages[0].payload["isUpdating"] is True
    assert validate(messages[0].payload) == []
