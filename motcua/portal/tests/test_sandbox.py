"""The sandbox portal's own endpoints: knobs, the stored list, refusals, and off in production."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from conftest import Staff
from motcua.portal.client import signed_headers
from motcua.portal.models import OutboxMessage
from motcua.portal.outbox import message_body
from motcua.portal.tests.conftest import lodge

pytestmark = pytest.mark.django_db

SECRET = "motcua-portal-development-secret"


def deliver(client: Client, message: OutboxMessage, *, key: str | None = None) -> Any:
    body = message_body(message)
    headers = {**signed_headers(SECRET, body), "Idempotency-Key": key or message.idempotency_key}
    return client.post("/sandbox/portal/dong-bo", data=body, content_type="application/json", headers=headers)


def test_the_knobs_are_set_and_read_over_http(client: Client) -> None:
    response = client.post(
        "/sandbox/portal/control", data={"fail_rate": 0.25, "seed": 7}, content_type="application/json"
    )
    assert response.json() == {
        "fail_rate": 0.25,
        "seed": 7,
        "delay_rate": 0.0,
        "delay_seconds": 0.0,
        "answer_twice": False,
        "requests": 0,
    }
    bad = client.post("/sandbox/portal/control", data={"fail_rate": 2}, content_type="application/json")
    assert bad.status_code == 422
    assert "fail_rate" in bad.json()["message"]


def test_it_stores_a_key_once_and_lists_what_it_stored(staff: Staff, client: Client) -> None:
    message = OutboxMessage.objects.get(dossier=lodge(staff, 0))
    first, again = deliver(client, message), deliver(client, message)
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    listed = client.get("/sandbox/portal/messages").json()
    assert listed["count"] == 1
    assert listed["items"][0]["key"] == message.idempotency_key
    assert listed["items"][0]["deliveries"] == 2
    assert "0912345678" not in json.dumps(listed)


def test_it_refuses_a_key_that_is_not_the_messages(staff: Staff, client: Client) -> None:
    message = OutboxMessage.objects.get(dossier=lodge(staff, 0))
    response = deliver(client, message, key="000.31.00.H11:1:99")
    assert response.status_code == 422
    assert response.json()["errors"] == ["Idempotency-Key: must equal the message's key"]


def test_it_is_off_when_told(client: Client, settings: Any) -> None:
    settings.MOTCUA_PORTAL_SANDBOX = "0"
    assert client.get("/sandbox/portal/control").status_code == 404
    assert (
        client.post("/sandbox/portal/dong-bo", data=b"{}", content_type="application/json").status_code == 404
    )
