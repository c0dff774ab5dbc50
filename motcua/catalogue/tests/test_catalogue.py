"""The catalogue: import (interfaces §3.1), calendar overrides (§3.2), `calendar due` (rules §2.1), official units."""

from __future__ import annotations

import json
from copy import deepcopy
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from conftest import CATALOGUE, COMMUNE, vn
from motcua.catalogue.models import CalendarOverride, Procedure, ProcedureVersion, Unit
from motcua.catalogue.selectors import catalogue_export, unit_calendar
from motcua.catalogue.services import calendar_import, catalogue_import, units_load_official
from motcua.cli import main
from motcua.core.errors import FieldError

pytestmark = pytest.mark.django_db

SHARED_PROCEDURES = Path(__file__).resolve().parents[3] / "motcua" / "catalogue" / "data" / "procedures-commune.json"


def run(*argv: str) -> tuple[int, str, str]:
    """Run the real `motcua` entry point, keeping the test's database connection open (Django's
    ``run_from_argv`` closes every connection when a command ends, which would end the test transaction)."""
    import contextlib
    from unittest import mock

    from django.db import connections

    out, err = StringIO(), StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            mock.patch.object(connections, "close_all"):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_import_creates_then_reports_nothing_changed() -> None:
    first = catalogue_import(data=CATALOGUE)
    assert "unit 000.31.00.H11" in " ".join(first.created)
    second = catalogue_import(data=CATALOGUE)
    assert second.created == []
    assert second.updated == []
    commune = Unit.objects.get(code=COMMUNE)
    assert (commune.admin_code, commune.parent.admin_code) == ("01786", "04")  # type: ignore[union-attr]
    assert commune.office_hours == [["07:30", "11:30"], ["13:30", "17:00"]]


def test_a_changed_procedure_gets_a_new_version() -> None:
    catalogue_import(data=CATALOGUE)
    changed = deepcopy(CATALOGUE)
    changed["procedures"][0]["fees"][0]["amount"] = 20000  # type: ignore[index]
    changes = catalogue_import(data=changed)
    assert changes.updated == ["procedure 1.001022 (version 2)"]
    procedure = Procedure.objects.get(code="1.001022")
    assert procedure.current_version.number == 2  # type: ignore[union-attr]
    assert ProcedureVersion.objects.filter(procedure=procedure).count() == 2


@pytest.mark.parametrize(
    ("mutate", "field", "value"),
    [
        (lambda c: c["units"][1].update(kind="district"), "units[1].kind", "district"),
        (lambda c: c["units"][1].update(parent="nope"), "units[1].parent", "nope"),
        (lambda c: c["procedures"][0].update(sector="ZZ"), "procedures[0].sector", "ZZ"),
        (lambda c: c["procedures"][0]["time_limit"].update(unit="weeks"), "procedures[0].time_limit.unit", "weeks"),
        (lambda c: c["procedures"][0]["time_limit"].update(value=-1), "procedures[0].time_limit.value", -1),
        (lambda c: c["procedures"][1]["fees"][0].update(amount="free"), "procedures[1].fees[0].amount", "free"),
        (lambda c: c["units"][1].update(office_hours=[["13:30", "11:00"]]), "units[1].office_hours[0]", None),
    ],
)
def test_a_bad_entry_names_field_and_value_and_nothing_is_written(mutate, field, value) -> None:  # type: ignore[no-untyped-def]
    bad = deepcopy(CATALOGUE)
    mutate(bad)
    with pytest.raises(FieldError) as err:
        catalogue_import(data=bad)
    assert err.value.field == field
    if value is not None:
        assert err.value.value == value
    assert Unit.objects.count() == 0
    assert Procedure.objects.count() == 0


def test_unknown_keys_are_kept_as_notes_and_the_shared_data_imports(tmp_path: Path) -> None:
    catalogue_import(data=CATALOGUE)
    data = json.loads(SHARED_PROCEDURES.read_text(encoding="utf-8"))
    changes = catalogue_import(data=data)
    assert len([c for c in changes.created if c.startswith("procedure")]) >= 45
    birth = Procedure.objects.get(code="1.001193").current_version
    assert birth is not None
    assert "source" in birth.notes
    assert birth.time_limit_unit == "same_day"
    # exporting and importing again changes nothing
    again = catalogue_import(data=catalogue_export())
    assert again.created == []
    assert again.updated == []


def test_catalogue_import_cli_prints_changes_and_errors(tmp_path: Path) -> None:
    good = tmp_path / "c.json"
    good.write_text(json.dumps(CATALOGUE), encoding="utf-8")
    code, out, _ = run("catalogue", "import", str(good))
    assert code == 0
    assert "created unit 000.31.00.H11" in out
    bad = tmp_path / "bad.json"
    bad.write_text('{"units": [}', encoding="utf-8")
    code, _, err = run("catalogue", "import", str(bad))
    assert code == 1
    assert err.strip().startswith(f"error: {bad}:1:")
    broken = deepcopy(CATALOGUE)
    broken["procedures"][0]["level"] = "galaxy"  # type: ignore[index]
    bad.write_text(json.dumps(broken), encoding="utf-8")
    code, _, err = run("catalogue", "import", str(bad))
    assert code == 1
    assert "procedures[0].level" in err
    assert "'galaxy'" in err


# --- calendar ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "value", "unit", "due"),
    [
        ("2026-03-09T09:00+07:00", "3", "working_days", "2026-03-12T09:00:00+07:00"),  # rules §2.1, Mon 09:00
        ("2026-03-09T18:00+07:00", "3", "working_days", "2026-03-12T17:00:00+07:00"),  # Mon 18:00 → Thu 17:00
        ("2026-03-07T10:00+07:00", "3", "working_days", "2026-03-11T17:00:00+07:00"),  # Sat → Wed 17:00
        ("2026-02-12T09:00+07:00", "3", "working_days", "2026-02-24T09:00:00+07:00"),  # Tết 2026
        ("2026-04-24T09:00+07:00", "1", "working_days", "2026-04-28T09:00:00+07:00"),  # Hùng Kings observed
        ("2026-08-28T09:00+07:00", "1", "working_days", "2026-09-03T09:00:00+07:00"),  # 31 Aug – 2 Sep 2026
        ("2026-11-23T09:00+07:00", "1", "working_days", "2026-11-25T09:00:00+07:00"),  # Culture Day 24 Nov
        ("2026-08-21T09:00+07:00", "1", "working_days", "2026-08-22T09:00:00+07:00"),  # swapped Saturday
        ("2026-03-09T14:00+07:00", "1", "same_day", "2026-03-09T17:00:00+07:00"),
        ("2026-03-09T15:30+07:00", "1", "same_day", "2026-03-10T17:00:00+07:00"),
        ("2026-03-09T09:00+07:00", "4", "working_hours", "2026-03-09T15:00:00+07:00"),
        ("2026-03-06T09:00+07:00", "15", "calendar_days", "2026-03-23T17:00:00+07:00"),  # lands on a Saturday
    ],
)
def test_calendar_due_prints_the_due_of_rules_2_1(catalogue: object, start: str, value: str, unit: str,
                                                  due: str) -> None:
    code, out, err = run("calendar", "due", "--unit", COMMUNE, "--start", start, "--value", value,
                         "--time-unit", unit)
    assert (code, err) == (0, "")
    assert out.strip() == due


def test_calendar_due_names_bad_arguments(catalogue: object) -> None:
    code, _, err = run("calendar", "due", "--unit", "nope", "--start", "2026-03-09T09:00", "--value", "3",
                       "--time-unit", "working_days")
    assert code == 1
    assert "--unit" in err
    code, _, err = run("calendar", "due", "--unit", COMMUNE, "--start", "2026-03-09T09:00", "--value", "3",
                       "--time-unit", "fortnights")
    assert code == 1
    assert "fortnights" in err


def test_calendar_import_overrides_win_and_change_the_version(catalogue: object, tmp_path: Path) -> None:
    commune = Unit.objects.get(code=COMMUNE)
    before = unit_calendar(commune)
    assert before.is_working_day(vn("2026-03-10 00:00").date())
    file = tmp_path / "o.json"
    file.write_text(json.dumps({"unit": COMMUNE, "overrides": [
        {"date": "2026-03-10", "kind": "day_off", "note": "local festival"},
        {"date": "2026-03-14", "kind": "working_day", "note": "swapped Saturday"}]}), encoding="utf-8")
    code, _, _ = run("calendar", "import", str(file))
    assert code == 0
    after = unit_calendar(commune)
    assert not after.is_working_day(vn("2026-03-10 00:00").date())
    assert after.is_working_day(vn("2026-03-14 00:00").date())
    assert after.version != before.version
    other = Unit.objects.get(code="000.32.00.H11")
    assert unit_calendar(other).is_working_day(vn("2026-03-10 00:00").date())  # the override is the unit's own
    # importing again replaces, never duplicates
    run("calendar", "import", str(file))
    assert CalendarOverride.objects.filter(unit=commune).count() == 2


def test_calendar_import_refuses_a_bad_kind_and_writes_nothing(catalogue: object) -> None:
    count = CalendarOverride.objects.count()
    with pytest.raises(FieldError) as err:
        calendar_import(data={"overrides": [{"date": "2026-05-04", "kind": "day_off"},
                                            {"date": "2026-05-05", "kind": "holiday"}]})
    assert (err.value.field, err.value.value) == ("overrides[1].kind", "holiday")
    assert CalendarOverride.objects.count() == count


def test_init_installs_the_official_notices_as_overrides() -> None:
    call_command("init", verbosity=0)
    kinds = dict(CalendarOverride.objects.filter(unit=None).values_list("date", "kind"))
    assert {d.isoformat(): k for d, k in kinds.items()} == {
        "2025-04-26": "working_day", "2026-01-02": "day_off", "2026-01-10": "working_day",
        "2026-08-22": "working_day"}


# --- official units ---------------------------------------------------------------------------------------------


def test_official_units_load_once_and_merge_with_imported_agency_codes() -> None:
    catalogue_import(data={"units": CATALOGUE["units"][:2]})  # type: ignore[index]
    changes = units_load_official()
    assert Unit.objects.filter(kind="province").count() == 34
    assert Unit.objects.filter(kind="commune").count() == 3321
    dong_khe = Unit.objects.get(admin_code="01786")
    assert dong_khe.code == COMMUNE  # kept the agency code it was imported with
    assert dong_khe.parent.admin_code == "04"  # type: ignore[union-attr]
    assert len(changes.created) == 34 + 3321 - 2
    again = units_load_official()
    assert again.created == []
    code, out, _ = run("units", "load-official")
    assert code == 0
    assert "0 created" in out


# --- admin screens ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["unit", "department", "sector", "procedure", "procedureversion",
                                   "calendaroverride"])
def test_admin_screens_open(staff, model: str) -> None:  # type: ignore[no-untyped-def]
    from motcua.accounts.services import user_create

    root = user_create(username="root", password="correct-horse-battery", is_superuser=True)
    client = Client()
    client.force_login(root)
    assert client.get(f"/admin/catalogue/{model}/").status_code == 200
    assert client.get(f"/admin/catalogue/{model}/add/").status_code in (200, 403)
