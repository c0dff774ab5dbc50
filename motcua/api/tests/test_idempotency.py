"""``Idempotency-Key`` on ``POST /api/v1/dossiers``: a retry gets the first answer and creates nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from conftest import COMMUNE, Staff
from motcua.accounts.models import User
from motcua.api import idempotency
from motcua.dossiers.models import Dossier, IdempotencyRecord

Clients = Callable[[User], Client]
BODY = {"procedure": "1.001193", "receiving_unit": COMMUNE, "channel": "direct",
        "applicant": {"name": "Lục Thị B", "id_number": "004090000123"}, "accept": True}


def post(client: Client, body: dict[str, Any], key: str) -> Any:
    return client.post("/api/v1/dossiers", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_repeat_with_the_same_key_returns_the_first_answer(staff: Staff, client_of: Clients) -> None:
    # given
    client = client_of(staff.desk)
    first = post(client, BODY, "k-1")
    # when
    again = post(client, dict(reversed(list(BODY.items()))), "k-1")  # same body, other key order
    # then
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert Dossier.objects.count() == 1
    assert json.loads(IdempotencyRecord.objects.get().body) == first.json()


def test_the_same_key_with_another_body_is_422_naming_the_header(staff: Staff, client_of: Clients) -> None:
    # given
    client = client_of(staff.desk)
    post(client, BODY, "k-1")
    # when
    response = post(client, {**BODY, "channel": "postal"}, "k-1")
    # then
    assert response.status_code == 422
    assert (response.json()["field"], response.json()["value"]) == ("Idempotency-Key", "k-1")
    assert Dossier.objects.count() == 1


def test_keys_belong_to_their_user(staff: Staff, client_of: Clients) -> None:
    # when
    post(client_of(staff.desk), BODY, "k-1")
    post(client_of(staff.admin), BODY, "k-1")
    # then
    assert Dossier.objects.count() == 2


def test_a_failed_request_stores_nothing_and_may_be_retried(staff: Staff, client_of: Clients) -> None:
    # given
    client = client_of(staff.desk)
    failed = post(client, {**BODY, "procedure": "9.999999"}, "k-1")
    # when
    retried = post(client, BODY, "k-1")
    # then
    assert (failed.status_code, retried.status_code) == (422, 201)
    assert IdempotencyRecord.objects.count() == 1


def test_a_concurrent_duplicate_is_rolled_back_and_answered_with_the_stored_record(
        staff: Staff, client_of: Clients, monkeypatch: pytest.MonkeyPatch) -> None:
    # given: the first request committed; the second read "no record yet" before that commit
    client = client_of(staff.desk)
    first = post(client, BODY, "k-1")
    real = idempotency._stored
    calls: list[str] = []

    def racing(**kwargs: Any) -> IdempotencyRecord | None:
        calls.append(kwargs["key"])
        return None if len(calls) == 1 else real(**kwargs)

    monkeypatch.setattr(idempotency, "_stored", racing)
    # when
    second = post(client, BODY, "k-1")
    # then
    assert len(calls) == 2  # looked up again after the unique constraint refused the second record
    assert second.status_code == 201
    assert second.content == first.content
    assert Dossier.objects.count() == 1


def test_an_empty_key_is_422(staff: Staff, client_of: Clients) -> None:
    # when
    response = post(client_of(staff.desk), BODY, " ")
    # then
    assert response.status_code == 422
    assert response.json()["field"] == "Idempotency-Key"
