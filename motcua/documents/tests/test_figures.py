"""Digitization rates per procedure and per officer: the selector, the CLI and the staff page."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from django.test import Client

from conftest import COMMUNE, PROVINCE, Staff, vn
from motcua.catalogue.models import Unit
from motcua.documents import services
from motcua.documents.selectors import digitization_figures
from motcua.documents.tests.conftest import pdf_bytes, submit
from motcua.dossiers import services as s

pytestmark = pytest.mark.django_db


def run(*argv: str) -> tuple[int, str, str]:
    import contextlib
    from unittest import mock

    from django.db import connections

    from motcua.cli import main

    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        mock.patch.object(connections, "close_all"),
    ):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def three_dossiers(staff: Staff) -> None:
    """Accepted 9–11 March by desk: one fully digitized (2/2), one half (1/2), one by another officer (0/1);
    plus one accepted in April (outside the period) and one never accepted."""
    from motcua.accounts.services import role_grant, user_create

    desk2 = user_create(username="desk2", password="correct-horse-battery", full_name="Lê Thị C")
    role_grant(user=desk2, role="desk_officer", unit_code=COMMUNE)
    full, half = submit(staff), submit(staff, at="2026-03-10 08:00")
    other = s.dossier_submit(
        procedure_code="1.001193",
        receiving_unit_code=COMMUNE,
        channel="direct",
        applicant=s.Applicant(name="B"),
        actor=desk2,
        components=[s.ComponentIn(code="TK")],
        at=vn("2026-03-11 08:00"),
    )
    late, never = submit(staff, at="2026-04-01 08:00"), submit(staff, at="2026-03-09 10:00")
    for c in full.components.all():
        services.component_digitize(
            component_id=c.pk, actor=staff.desk, name=f"{c.code}.pdf", stream=io.BytesIO(pdf_bytes(c.code))
        )
    services.component_take_from_personal_store(
        component_id=half.components.get(code="CC").pk, actor=staff.desk, ref="cccd"
    )
    for d, who in ((full, staff.desk), (half, staff.desk), (other, desk2), (late, staff.desk)):
        s.dossier_accept(dossier_id=d.pk, actor=who, at=d.submitted_at + timedelta(hours=1))
    assert never.received_at is None


def test_rates_per_procedure_and_per_officer(three_dossiers: None) -> None:
    # when
    f = digitization_figures(
        unit=Unit.objects.get(code=COMMUNE), date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)
    )
    # then
    assert (
        f.total.dossiers,
        f.total.dossiers_digitized,
        f.total.components,
        f.total.components_digitized,
    ) == (3, 1, 5, 3)
    assert (f.total.components_reused, str(f.total.component_rate), str(f.total.dossier_rate)) == (
        1,
        "60.00",
        "33.33",
    )
    by_proc = {
        r.key: (r.dossiers, r.dossiers_digitized, r.components, r.components_digitized)
        for r in f.by_procedure
    }
    assert by_proc == {"1.001022": (2, 1, 4, 3), "1.001193": (1, 0, 1, 0)}
    by_officer = {
        r.key: (r.name, r.dossiers, r.components_digitized, str(r.component_rate)) for r in f.by_officer
    }
    assert by_officer == {"desk": ("desk", 2, 3, "75.00"), "desk2": ("Lê Thị C", 1, 0, "0.00")}


def test_a_province_sums_its_communes(three_dossiers: None) -> None:
    f = digitization_figures(
        unit=Unit.objects.get(code=PROVINCE), date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)
    )
    assert f.total.dossiers == 3


def test_the_cli_prints_json_and_csv(three_dossiers: None) -> None:
    code, out, err = run(
        "documents", "digitization", "--unit", COMMUNE, "--from", "2026-03-01", "--to", "2026-03-31"
    )
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["total"]["component_rate"] == "60.00"
    assert data["from"] == "2026-03-01"
    code, out, _ = run(
        "documents",
        "digitization",
        "--unit",
        COMMUNE,
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--format",
        "csv",
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["group"], r["key"]) for r in rows] == [
        ("total", "total"),
        ("procedure", "1.001022"),
        ("procedure", "1.001193"),
        ("officer", "desk"),
        ("officer", "desk2"),
    ]
    assert rows[1]["component_rate"] == "75.00"


def test_the_cli_names_a_bad_unit(staff: Staff) -> None:
    code, _, err = run(
        "documents", "digitization", "--unit", "nope", "--from", "2026-03-01", "--to", "2026-03-31"
    )
    assert code == 1
    assert "--unit" in err
    assert "nope" in err


def test_the_staff_page_shows_the_rates(staff: Staff, three_dossiers: None) -> None:
    client = Client()
    client.force_login(staff.desk)
    page = client.get("/can-bo/so-hoa/", {"unit": COMMUNE, "from": "2026-03-01", "to": "2026-03-31"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "Tỷ lệ số hóa hồ sơ" in body
    assert "60,00" in body
    assert "Lê Thị C" in body
    assert client.get("/can-bo/so-hoa/", {"unit": "000.32.00.H11"}).status_code == 404
