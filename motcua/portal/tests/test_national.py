"""The national procedure database export → the catalogue, with a report of what changed."""

from __future__ import annotations

import contextlib
import json
from copy import deepcopy
from io import StringIO
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from conftest import CATALOGUE
from motcua.catalogue.models import Procedure, Sector
from motcua.catalogue.services import catalogue_import
from motcua.cli import main
from motcua.core.errors import FieldError
from motcua.portal.national import national_catalogue_import

pytestmark = pytest.mark.django_db


def channel(kenh: int, value: Any, unit: str, fees: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "KENH": kenh,
        "THOIGIAN": [{"THOIGIANGIAIQUYET": value, "DONVITINH": unit, "MOTA": "", "PHILEPHI": fees or []}],
    }


def papers(*items: tuple[str, str, int]) -> list[dict[str, Any]]:
    return [
        {"TRUONGHOP": "Chung", "GIAYTO": [{"MAGIAYTO": c, "TENGIAYTO": n, "BATBUOC": r} for c, n, r in items]}
    ]


EXPORT: dict[str, Any] = {
    "result": [
        {  # as motcua has it: unchanged
            "MATTHC": "1.001193",
            "TENTTHC": "Thủ tục đăng ký khai sinh",
            "CAPTHUCHIEN": "Cấp Xã",
            "LINHVUCTHUCHIEN": [{"MALINHVUC": "HT", "TENLINHVUC": "Hộ tịch"}],
            "CACHTHUCTHUCHIEN": [
                channel(1, 1, "Trong ngày", [{"MAPHILEPHI": "LP", "SOTIEN": 0, "MOTA": "Lệ phí (miễn)"}]),
                channel(2, 1, "Trong ngày", [{"MAPHILEPHI": "LP", "SOTIEN": 0, "MOTA": "Lệ phí (miễn)"}]),
            ],
            "THANHPHANHOSO": papers(("TK", "Tờ khai", 1)),
            "DVCTRUCTUYEN": "Toàn trình",
            "TRANGTHAI": 1,
        },
        {  # the ministry changed the time limit (3 → 5 working days), the fee and a component
            "MATTHC": "1.001022",
            "TENTTHC": "Thủ tục đăng ký nhận cha, mẹ, con",
            "CAPTHUCHIEN": "Cấp Xã",
            "LINHVUCTHUCHIEN": [{"MALINHVUC": "HT", "TENLINHVUC": "Hộ tịch"}],
            "CACHTHUCTHUCHIEN": [
                channel(1, 5, "Ngày làm việc", [{"MAPHILEPHI": "LP", "SOTIEN": "20.000", "MOTA": "Lệ phí"}]),
                channel(2, 5, "Ngày làm việc", [{"MAPHILEPHI": "LP", "SOTIEN": "20.000", "MOTA": "Lệ phí"}]),
            ],
            "THANHPHANHOSO": papers(
                ("TK", "Tờ khai", 1), ("CC", "Chứng cứ", 1), ("UQ", "Văn bản ủy quyền", 0)
            ),
            "DVCTRUCTUYEN": "Toàn trình",
            "TRANGTHAI": 1,
        },
        {  # the province set the fee (50,000): the export's "set by the province" keeps it
            "MATTHC": "1.012784",
            "TENTTHC": "Tách thửa hoặc hợp thửa đất",
            "CAPTHUCHIEN": "Cấp Xã",
            "LINHVUCTHUCHIEN": [{"MALINHVUC": "DD", "TENLINHVUC": "Đất đai"}],
            "CACHTHUCTHUCHIEN": [
                channel(1, 12, "Ngày làm việc", [{"MAPHILEPHI": "LP", "SOTIEN": None, "MOTA": "Lệ phí"}])
            ],
            "THANHPHANHOSO": papers(("DON", "Đơn", 1)),
            "TRANGTHAI": 1,
        },
        {  # new, in a sector known by name under another code
            "MATTHC": "2.000908",
            "TENTTHC": "Chứng thực chữ ký",
            "CAPTHUCHIEN": ["Cấp Xã", "Cấp Tỉnh"],
            "LINHVUCTHUCHIEN": [{"MALINHVUC": "G09-CT01", "TENLINHVUC": "chứng thực"}],
            "CACHTHUCTHUCHIEN": [
                channel(
                    1, 1, "Ngày làm việc", [{"MAPHILEPHI": "PHI", "SOTIEN": 10000, "MOTA": "Phí chứng thực"}]
                ),
                channel(2, 4, "Giờ làm việc"),
            ],
            "THANHPHANHOSO": papers(("GIAYTO", "Giấy tờ cần chứng thực", 1)),
            "TRANGTHAI": 1,
        },
        {  # new, in a new sector
            "MATTHC": "1.003622",
            "TENTTHC": "Thủ tục công nhận gia đình văn hóa",
            "CAPTHUCHIEN": "Cấp Xã",
            "LINHVUCTHUCHIEN": [{"MALINHVUC": "VH", "TENLINHVUC": "Văn hóa"}],
            "CACHTHUCTHUCHIEN": [channel(1, 5, "Ngày")],
            "THANHPHANHOSO": [],
            "TRANGTHAI": 1,
        },
        {"MATTHC": "1.000001", "TENTTHC": "Thủ tục đã bãi bỏ", "TRANGTHAI": 0},
    ]
}


@pytest.fixture
def province_fees(catalogue: dict[str, Any]) -> None:
    changed = deepcopy(CATALOGUE)
    changed["procedures"][2]["fees"] = [{"kind": "charge", "name": "Lệ phí", "amount": 50000}]  # type: ignore[index]
    catalogue_import(data=changed)


def test_the_import_reports_what_it_added_changed_kept_and_skipped(province_fees: None) -> None:
    # when
    report = national_catalogue_import(data=EXPORT)
    # then
    assert report.lines() == [
        "added sector VH",
        "added procedure 2.000908",
        "added procedure 1.003622",
        "changed procedure 1.001022 (time_limit, fees, components)",
        "skipped 1.000001 (TRANGTHAI 0: not in force)",
        "added 3, changed 1, unchanged 2, skipped 1",
    ]
    changed = Procedure.objects.get(code="1.001022").current_version
    assert changed is not None
    assert changed.number == 2
    assert (changed.time_limit_value, changed.time_limit_unit) == (5, "working_days")
    assert changed.fees == [{"kind": "charge", "name": "Lệ phí", "amount": 20000}]
    assert [c["code"] for c in changed.components] == ["TK", "CC", "UQ"]
    assert changed.components[2]["required"] is False
    assert changed.boundary_independent is True  # not in the export: kept
    land = Procedure.objects.get(code="1.012784").current_version
    assert land is not None
    assert (land.fees[0]["amount"], land.pause_for_payment) == (50000, True)
    certification = Procedure.objects.get(code="2.000908")
    assert certification.sector.code == "CT"
    version = certification.current_version
    assert version is not None
    assert (version.time_limit_value, version.time_limit_unit) == (1, "working_days")
    assert (version.online_time_limit_value, version.online_time_limit_unit) == (4, "working_hours")
    assert version.fees == [{"kind": "fee", "name": "Phí chứng thực", "amount": 10000}]
    assert version.online == "partial"
    assert Sector.objects.get(code="VH").name == "Văn hóa"
    # when: the same export again
    again = national_catalogue_import(data=EXPORT)
    # then
    assert again.lines()[-1] == "added 0, changed 0, unchanged 5, skipped 1"
    # ... and "unchanged" means no new version either
    assert Procedure.objects.get(code="1.001193").current_version.number == 1  # type: ignore[union-attr]
    assert Procedure.objects.get(code="1.001022").current_version.number == 2  # type: ignore[union-attr]


def test_a_dry_run_reports_and_writes_nothing(catalogue: dict[str, Any]) -> None:
    report = national_catalogue_import(data=EXPORT, dry_run=True)
    assert report.lines()[-1].endswith("(dry run: nothing written)")
    assert not Procedure.objects.filter(code="2.000908").exists()
    assert Procedure.objects.get(code="1.001022").current_version.number == 1  # type: ignore[union-attr]


def test_a_bad_record_names_its_place_and_nothing_is_written(catalogue: dict[str, Any]) -> None:
    export = deepcopy(EXPORT)
    export["result"][4]["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["DONVITINH"] = "Tháng"
    with pytest.raises(FieldError) as err:
        national_catalogue_import(data=export)
    assert err.value.field == "result[4].CACHTHUCTHUCHIEN[0].THOIGIAN[0].DONVITINH"
    assert not Procedure.objects.filter(code="2.000908").exists()


def test_the_command_prints_the_report(catalogue: dict[str, Any], tmp_path: Path) -> None:
    from django.db import connections

    path = tmp_path / "tthc.json"
    path.write_text(json.dumps(EXPORT, ensure_ascii=False), encoding="utf-8")
    out, err = StringIO(), StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        mock.patch.object(connections, "close_all"),
    ):
        code = main(["portal", "import-catalogue", str(path)])
    assert code == 0, err.getvalue()
    assert "changed procedure 1.001022 (time_limit, fees, components)" in out.getvalue()
    assert out.getvalue().endswith("added 3, changed 1, unchanged 2, skipped 1\n")
