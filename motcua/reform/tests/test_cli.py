"""``motcua reform import|export|status|demo``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from conftest import COMMUNE
from motcua.reform.models import ReformPlan, ReformTask
from motcua.reform.tests.conftest import small_plan


def test_status_prints_the_figures(demo_plan: ReformPlan, capsys: pytest.CaptureFixture[str]) -> None:
    # when
    call_command("reform", "status", "--unit", COMMUNE, "--year", "2025", "--as-of", "2025-11-30")
    # then
    out = capsys.readouterr().out
    assert "tasks 41, removed 0, counted 41" in out
    assert "completion 31/41 = 75.61%" in out
    assert "overdue 0" in out
    assert "by year end (2025-12-31): 31/41 = 75.61%" in out


def test_status_as_json(demo_plan: ReformPlan, capsys: pytest.CaptureFixture[str]) -> None:
    # when
    call_command("reform", "status", "--unit", COMMUNE, "--year", "2025", "--as-of", "2025-11-30",
                 "--format", "json")
    # then
    figures = json.loads(capsys.readouterr().out)
    assert (figures["total"], figures["done"], figures["rate"]) == (41, 31, 75.61)


def test_import_then_export_json_and_xlsx_round_trip(catalogue: object, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # given
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(small_plan(), ensure_ascii=False), encoding="utf-8")
    # when
    call_command("reform", "import", str(source), "--unit", COMMUNE)
    call_command("reform", "export", "--unit", COMMUNE, "--year", "2025", "--output", str(tmp_path / "out.json"))
    call_command("reform", "export", "--unit", COMMUNE, "--year", "2025", "--format", "xlsx",
                 "--output", str(tmp_path / "out.xlsx"))
    capsys.readouterr()
    call_command("reform", "import", str(tmp_path / "out.xlsx"), "--unit", COMMUNE)
    call_command("reform", "import", str(tmp_path / "out.json"), "--unit", COMMUNE)
    # then
    out = capsys.readouterr().out.splitlines()
    assert out.count("tasks created 0, updated 0, unchanged 5") == 2
    assert ReformTask.objects.count() == 5


def test_a_bad_file_is_one_error_line_and_exit_1(catalogue: object, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # given
    data = small_plan()
    data["tasks"][2]["deadline"] = "2025-02-30"
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    # when
    with pytest.raises(SystemExit) as exit_:
        call_command("reform", "import", str(source), "--unit", COMMUNE)
    # then
    assert exit_.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err == f"error: {source}: tasks[2].deadline: must be a date YYYY-MM-DD (got '2025-02-30')"
    assert ReformPlan.objects.count() == 0


def test_status_of_a_missing_plan(catalogue: object, capsys: pytest.CaptureFixture[str]) -> None:
    # when
    with pytest.raises(SystemExit):
        call_command("reform", "status", "--unit", COMMUNE, "--year", "2024")
    # then
    assert capsys.readouterr().err.strip() == "error: Xã Đông Khê has no reform plan for 2024"


def test_demo_loads_the_sample_plan(catalogue: object, capsys: pytest.CaptureFixture[str]) -> None:
    # when
    call_command("reform", "demo")
    # then
    assert "tasks created 41, updated 0, unchanged 0" in capsys.readouterr().out
