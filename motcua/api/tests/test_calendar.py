"""``/calendar/due``: the same due date as ``motcua calendar due`` (rules §2.1)."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.test import Client

from conftest import COMMUNE, Staff
from motcua.accounts.models import User

Clients = Callable[[User], Client]


def due(client: Client, **params: str) -> object:
    return client.get("/api/v1/calendar/due?" + urlencode({"unit": COMMUNE, **params}))


@pytest.mark.parametrize(("start", "value", "time_unit", "expected"), [
    ("2026-03-09T09:00+07:00", "3", "working_days", "2026-03-12T09:00:00+07:00"),
    ("2026-03-09T18:00", "3", "working_days", "2026-03-12T17:00:00+07:00"),  # no offset: local time
    ("2026-02-12T09:00+07:00", "3", "working_days", "2026-02-24T09:00:00+07:00"),  # Tết 2026
    ("2026-03-09T09:00+07:00", "0.5", "working_days", "2026-03-09T14:45:00+07:00"),
    ("2026-03-09T16:00+07:00", "1", "same_day", "2026-03-10T17:00:00+07:00"),
])
def test_due_is_computed_like_the_command_line(staff: Staff, client_of: Clients, start: str, value: str,
                                               time_unit: str, expected: str) -> None:
    # given
    cli = StringIO()
    call_command("calendar", "due", "--unit", COMMUNE, "--start", start, "--value", value, "--time-unit",
                 time_unit, stdout=cli)
    # when
    response = due(client_of(staff.desk), start=start, value=value, time_unit=time_unit)
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["due"] == expected == cli.getvalue().strip()
    assert len(body["calendar_version"]) >= 8


def test_a_plus_sign_sent_unencoded_is_understood(staff: Staff, client_of: Clients) -> None:
    # when
    response = client_of(staff.desk).get(f"/api/v1/calendar/due?unit={COMMUNE}&start=2026-03-09T09:00+07:00"
                                         "&value=3&time_unit=working_days")
    # then
    assert response.json()["due"] == "2026-03-12T09:00:00+07:00"


@pytest.mark.parametrize(("params", "field"), [
    ({"time_unit": "fortnights"}, "time_unit"),
    ({"value": "three"}, "value"),
    ({"value": "-1"}, "value"),
    ({"value": "1.5", "time_unit": "calendar_days"}, "value"),
    ({"start": "tomorrow"}, "start"),
    ({"cutoff": "3pm"}, "cutoff"),
    ({"channel": "fax"}, "channel"),
    ({"unit": "000.99.00.H11"}, "unit"),
])
def test_a_bad_parameter_is_422_naming_it(staff: Staff, client_of: Clients, params: dict[str, str],
                                          field: str) -> None:
    # when
    query = {"start": "2026-03-09T09:00+07:00", "value": "3", "time_unit": "working_days", **params}
    response = due(client_of(staff.desk), **query)
    # then
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
