"""The evaluation page and its CSV: what it shows, and who may see which unit."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.test import Client

from conftest import COMMUNE, OTHER_COMMUNE, PROVINCE, Staff
from motcua.accounts.models import User
from motcua.evaluation.tests.conftest import Quarter

pytestmark = pytest.mark.django_db

URL = "/can-bo/danh-gia/"
Q1 = {"unit": COMMUNE, "period": "2026-Q1"}

ClientOf = Callable[[User], Client]


def test_sign_in_required(staff: Staff) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert "dang-nhap" in response["Location"]


def test_the_units_grade_indices_and_officials(staff: Staff, quarter: Quarter, client_of: ClientOf) -> None:
    response = client_of(staff.approver).get(URL, Q1)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Quý I/2026" in page
    assert "10,7" in page
    assert "Khá" in page
    assert "Tổng thời gian giải quyết thủ tục hành chính" in page
    assert "Tiến độ và chất lượng cung cấp dịch vụ công trực tuyến" in page
    assert "Hoàn thành từ 70% đến dưới 100% nhiệm vụ" in page  # the head
    assert "7,4" in page  # the desk officer's total
    assert page.count("ev-levels") == 9


def test_default_is_the_current_quarter_of_the_users_unit(staff: Staff, client_of: ClientOf) -> None:
    response = client_of(staff.desk).get(URL)
    assert response.status_code == 200
    assert "Xã Đông Khê" in response.content.decode()
    assert "Chưa xếp loại" in response.content.decode()


def test_a_bad_period_falls_back_with_a_message(staff: Staff, client_of: ClientOf) -> None:
    response = client_of(staff.desk).get(URL, {"unit": COMMUNE, "period": "2026-Q9"})
    assert response.status_code == 200
    assert "không hợp lệ" in response.content.decode()


def test_a_year(staff: Staff, quarter: Quarter, client_of: ClientOf) -> None:
    response = client_of(staff.approver).get(URL, {"unit": COMMUNE, "period": "2026"})
    assert response.status_code == 200
    assert "Năm 2026" in response.content.decode()


@pytest.mark.parametrize("path", [URL, URL + "tai-ve.csv"])
def test_another_communes_user_gets_404(staff: Staff, client_of: ClientOf, path: str) -> None:
    assert client_of(staff.other_desk).get(path, Q1).status_code == 404
    assert client_of(staff.desk).get(path, {"unit": OTHER_COMMUNE}).status_code == 404
    assert client_of(staff.desk).get(path, {"unit": "NO-SUCH-UNIT"}).status_code == 404


@pytest.mark.parametrize("unit", [PROVINCE, COMMUNE, OTHER_COMMUNE])
def test_the_province_inspector_sees_every_commune(staff: Staff, quarter: Quarter, client_of: ClientOf,
                                                   unit: str) -> None:
    response = client_of(staff.inspector).get(URL, {"unit": unit, "period": "2026-Q1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Xã Thạch An" in page
    assert "Xã Đông Khê" in page


def test_csv(staff: Staff, quarter: Quarter, client_of: ClientOf) -> None:
    response = client_of(staff.approver).get(URL + "tai-ve.csv", Q1)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"danh-gia-{COMMUNE}-2026-Q1.csv" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:5] == ["Đối tượng", "Họ và tên / đơn vị", "Tài khoản", "Vai trò", "Số hồ sơ"]
    unit = rows[1]
    assert unit[1] == "Xã Đông Khê"
    assert unit[4] == "4"
    assert unit[5:14] == ["1.3", "0.8", "1.3", "1.5", "2.0", "1.5", "1.3", "0.0", "1.0"]
    assert unit[14:17] == ["10.7", "18", "Khá"]
    head = next(r for r in rows[2:] if r[2] == "head")
    assert head[5:14] == ["0.0", "0.0", "2.0", "2.0", "", "", "0.0", "", ""]
    assert head[14:17] == ["4.0", "10", "Hoàn thành từ 70% đến dưới 100% nhiệm vụ"]
    assert len(rows) == 2 + 4
