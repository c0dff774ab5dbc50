"""The procedure catalogue: search, sector filter, and a procedure's page in Vietnamese words."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from motcua.public.text import amount_words, duration_words, number, time_limit_words, vn_datetime

pytestmark = pytest.mark.django_db


def _html(url: str, **params: str) -> str:
    response = Client().get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_list_search_and_sector_filter(catalogue: dict[str, object]) -> None:
    html = _html("/thu-tuc/")
    assert "Thủ tục đăng ký khai sinh" in html
    assert "Tách thửa hoặc hợp thửa đất" in html
    assert "3 ngày làm việc" in html
    html = _html("/thu-tuc/", q="khai sinh")
    assert "Thủ tục đăng ký khai sinh" in html
    assert "Tách thửa" not in html
    html = _html("/thu-tuc/", q="dang ky khai sinh")  # without diacritics
    assert "Thủ tục đăng ký khai sinh" in html
    html = _html("/thu-tuc/", q="2.000815")
    assert "Chứng thực bản sao từ bản chính" in html
    assert "Thủ tục đăng ký khai sinh" not in html
    html = _html("/thu-tuc/", **{"linh-vuc": "DD"})
    assert "Tách thửa hoặc hợp thửa đất" in html
    assert "Giao đất, cho thuê đất" in html
    assert "Thủ tục đăng ký khai sinh" not in html


def test_procedure_page(catalogue: dict[str, object]) -> None:
    html = _html("/thu-tuc/1.001022/")
    assert "Thủ tục đăng ký nhận cha, mẹ, con" in html
    assert "3 ngày làm việc" in html
    assert "15.000 đồng" in html
    assert "Tờ khai" in html
    assert "Chứng cứ" in html
    assert "Bắt buộc" in html
    assert "Toàn trình" in html
    assert "Có — nộp và nhận kết quả tại bất kỳ Trung tâm Phục vụ hành chính công nào trong tỉnh" in html

    html = _html("/thu-tuc/1.001193/")
    assert "Trong ngày (trước 15 giờ)" in html
    assert "Miễn" in html
    html = _html("/thu-tuc/1.012784/")
    assert "12 ngày làm việc" in html
    assert "HĐND tỉnh quy định" in html
    assert "Không — nộp tại nơi có thẩm quyền giải quyết" in html
    html = _html("/thu-tuc/2.000815/")
    assert "4 giờ làm việc" in html
    assert "Nộp trực tuyến: 1 ngày làm việc" in html
    assert "2.000 đồng" in html
    html = _html("/thu-tuc/1.013949/")
    assert "15 ngày" in html
    assert "Không thu phí, lệ phí." in html
    assert Client().get("/thu-tuc/9.999999/").status_code == 404


def test_words() -> None:
    assert time_limit_words(Decimal("0.5"), "working_days") == "0,5 ngày làm việc"
    assert time_limit_words(Decimal("3.00"), "working_days") == "3 ngày làm việc"
    assert time_limit_words(1, "same_day", time(15, 30)) == "Trong ngày (trước 15 giờ 30)"
    assert amount_words(1500000) == "1.500.000 đồng"
    assert amount_words(None) == "HĐND tỉnh quy định"
    assert amount_words(0) == "Miễn"
    assert number(75.61, 2) == "75,61"
    assert number(100.0, 2) == "100"
    assert duration_words(timedelta(hours=9), timedelta(hours=7, minutes=30)) == "1,2 ngày làm việc"
    assert (
        duration_words(timedelta(hours=3, minutes=30), timedelta(hours=7, minutes=30)) == "3,5 giờ làm việc"
    )
    from conftest import vn

    assert vn_datetime(vn("2026-03-09 09:05")) == "09:05, thứ Hai 09/03/2026"
