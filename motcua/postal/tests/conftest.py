"""Fixtures of the postal tests: motcua's own sandbox carrier, reached over real HTTP on the live server."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest


@pytest.fixture
def carrier_on_live_server(live_server: Any, settings: Any) -> str:
    """The carrier client talks to the sandbox on the live server, which calls the live server's webhook."""
    settings.MOTCUA_POSTAL_API_URL = f"{live_server.url}/sandbox/postal"
    settings.MOTCUA_POSTAL_CALLBACK_URL = f"{live_server.url}/buu-chinh/webhook/"
    settings.MOTCUA_POSTAL_TOKEN = "test-token"
    settings.MOTCUA_POSTAL_WEBHOOK_SECRET = "test-secret"
    return str(live_server.url)


def sandbox_event(base: str, item_code: str, **body: object) -> dict[str, Any]:
    """Play the postal worker: the sandbox records an event and posts it to motcua's webhook."""
    request = urllib.request.Request(  # noqa: S310 - the live server
        f"{base}/sandbox/postal/api/orders/{item_code}/events",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "h-token": "test-token"},
    )
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - the live server
        answer: dict[str, Any] = json.loads(response.read())
    return answer
