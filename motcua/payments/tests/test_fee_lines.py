"""Fee lines that do not apply to every dossier: a charge that differs by channel (residence: at the desk or
online), a fee charged only on request (copies) or in a case the desk decides (late registration)."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

import pytest
from django.test import Client

from conftest import CATALOGUE, COMMUNE, Staff
from motcua.catalogue.models import Procedure, fee_line_applies
from motcua.catalogue.services import catalogue_import
from motcua.core.errors import Conflict, FieldError
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.payments import services as pay
from motcua.payments.models import FeeLine
from motcua.payments.selectors import fees_summary

pytestmark = pytest.mark.django_db

RESIDENCE = {
    "code": "1.004194",
    "name": "Đăng ký tạm trú",
    "sector": "HT",
    "time_limit": {"value": 3, "unit": "working_days"},
    "fees": [
        {"kind": "charge", "name": "Lệ phí - nộp trực tiếp", "amount": 15000, "channel": "direct"},
        {"kind": "charge", "name": "Lệ phí - nộp trực tuyến", "amount": 7000, "channel": "online"},
        {"kind": "charge", "name": "Theo danh sách", "amount": 10000, "channel": "direct", "optional": True},
        {"kind": "fee", "name": "Bản sao, nếu yêu cầu (đ/bản)", "amount": 8000, "optional": True},
        {"kind": "charge", "name": "Quá hạn (HĐND tỉnh quyết định)", "amount": None, "optional": True},
    ],
    "components": [],
    "online": "full",
}


@pytest.fixture
def residence(staff: Staff) -> Procedure:
    catalogue_import(data={**deepcopy(CATALOGUE), "procedures": [RESIDENCE]})
    return Procedure.objects.get(code="1.004194")


def lodge(staff: Staff, channel: str) -> Dossier:
    return s.dossier_submit(
        procedure_code="1.004194",
        receiving_unit_code=COMMUNE,
        channel=channel,
        applicant=s.Applicant(name="Lý Văn Phúc"),
        actor=None if channel == "online" else staff.desk,
    )


@pytest.mark.parametrize(
    ("line", "channel", "applies"),
    [
        ({"amount": 1}, "direct", True),
        ({"amount": 1}, "online", True),
        ({"channel": "direct"}, "postal", True),
        ({"channel": "direct"}, "online", False),
        ({"channel": "online"}, "online", True),
        ({"channel": "online"}, "direct", False),
        ({"optional": True}, "direct", False),
        ({"optional": True, "channel": "online"}, "online", False),
    ],
)
def test_which_lines_apply(line: dict[str, Any], channel: str, applies: bool) -> None:
    assert fee_line_applies(line, channel) is applies


def test_the_amount_owed_depends_on_the_channel(residence: Procedure, staff: Staff) -> None:
    version = residence.current_version
    assert version is not None
    assert (version.fee_total("direct"), version.fee_total("online"), version.fee_total("postal")) == (
        15000,
        7000,
        15000,
    )
    online = lodge(staff, "online")
    desk = lodge(staff, "direct")
    assert (int(online.fee_total), int(desk.fee_total)) == (7000, 15000)
    summary = fees_summary(online)
    assert [v.line.applies for v in summary.lines] == [False, True, False, False, False]
    assert (summary.due, summary.amount_unknown) == (
        7000,
        False,
    )  # the late line's unknown amount is not owed
    assert [line.applies for line in FeeLine.objects.filter(dossier=desk)] == [
        True,
        False,
        False,
        False,
        False,
    ]


def test_the_desk_adds_copies_on_request_and_cannot_drop_a_paid_line(
    residence: Procedure, staff: Staff
) -> None:
    d = lodge(staff, "direct")
    d = s.dossier_accept(dossier_id=d.pk, actor=staff.desk)
    # when: two copies are asked for
    pay.fee_line_set(dossier_id=d.pk, position=4, actor=staff.desk, applies=True)
    # then
    assert fees_summary(d).due == 15000 + 8000
    assert int(Dossier.objects.get(pk=d.pk).fee_total) == 23000  # the reports' figure follows
    # a line that does not apply cannot be exempted
    with pytest.raises(FieldError) as refused:
        pay.fee_reduction_grant(
            dossier_id=d.pk, position=3, actor=staff.desk, reason="x", evidence="y", exempt=True
        )
    assert refused.value.field == "line"
    # once paid, a charged line is not dropped silently
    pay.fee_collect(dossier_id=d.pk, actor=staff.desk, method="cash")
    with pytest.raises(Conflict):
        pay.fee_line_set(dossier_id=d.pk, position=4, actor=staff.desk, applies=False)
    assert fees_summary(d).outstanding == 0


def test_the_fees_page_switches_a_line_on(residence: Procedure, staff: Staff) -> None:
    d = s.dossier_accept(dossier_id=lodge(staff, "direct").pk, actor=staff.desk)
    client = Client()
    client.force_login(staff.desk)
    page = client.get(f"/can-bo/thu-phi/{d.pk}/").content.decode()
    assert "không áp dụng" in page
    answer = client.post(f"/can-bo/thu-phi/{d.pk}/khoan/4/", {"collection": "before", "applies": "1"})
    assert answer.status_code == 302
    assert FeeLine.objects.get(dossier=d, position=4).applies is True
    assert fees_summary(d).due == 23000


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "post"}, "procedures[0].fees[0].channel"),
        ({"optional": "yes"}, "procedures[0].fees[0].optional"),
    ],
)
def test_the_catalogue_refuses_an_unknown_channel_or_flag(
    staff: Staff, change: dict[str, Any], field: str
) -> None:
    procedure = deepcopy(RESIDENCE)
    procedure["fees"][0].update(change)
    with pytest.raises(FieldError) as refused:
        catalogue_import(data={**deepcopy(CATALOGUE), "procedures": [procedure]})
    assert refused.value.field == field


def test_the_dossier_page_and_the_intake_form_mark_lines_that_do_not_apply(
    residence: Procedure, staff: Staff
) -> None:
    client = Client()
    client.force_login(staff.desk)
    d = lodge(staff, "online")
    page = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    fees = page[page.index('id="h-fees"') :]
    assert (
        fees.count("không áp dụng") == 4
    )  # the desk's charge, by list, copies, late: only the online one applies
    intake = client.get("/can-bo/tiep-nhan/", {"procedure": "1.004194"}).content.decode()
    assert "khi có yêu cầu" in intake
