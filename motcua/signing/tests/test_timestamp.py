"""PAdES B-T: a signature timestamp from motcua's own RFC 3161 timestamp authority, over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import COMMUNE, Staff
from motcua.core.errors import ApplicationError
from motcua.signing import keys
from motcua.signing.services import identity_issue, pdf_sign
from motcua.signing.tests.conftest import plain_pdf
from motcua.signing.verification import pdf_verify

pytestmark = pytest.mark.django_db


def test_a_signature_timestamped_by_the_local_tsa_verifies_with_its_time(
    staff: Staff, ca: keys.LocalCA, settings: object, live_server: object
) -> None:
    # given: motcua serves its timestamp authority, and signs through it
    settings.SIGNING_TSA_SERVE = "1"  # type: ignore[attr-defined]
    settings.SIGNING_TSA_URL = f"{live_server.url}{reverse('signing:tsa')}"  # type: ignore[attr-defined]
    identity = identity_issue(unit_code=COMMUNE)
    # when
    signed = pdf_sign(pdf_bytes=plain_pdf(), identity=identity, reason="Ký", actor=staff.desk)
    # then
    result = pdf_verify(signed)
    assert result.valid, result.line()
    stamp = result.signatures[0].timestamp
    assert stamp is not None
    assert abs(stamp - timezone.now()) < timedelta(minutes=2)
    assert "(timestamp " in result.line()
    # and one altered byte still fails
    at = signed.index(b"stream") + 20
    assert not pdf_verify(signed[:at] + bytes([signed[at] ^ 1]) + signed[at + 1 :]).valid


def test_an_unreachable_tsa_stops_the_signature(staff: Staff, ca: keys.LocalCA, settings: object) -> None:
    settings.SIGNING_TSA_URL = "http://127.0.0.1:9/tsa"  # type: ignore[attr-defined]
    identity = identity_issue(unit_code=COMMUNE)
    with pytest.raises(ApplicationError, match=re.escape("timestamp authority http://127.0.0.1:9/tsa")):
        pdf_sign(pdf_bytes=plain_pdf(), identity=identity, reason="Ký", actor=staff.desk)


def test_the_tsa_is_off_unless_enabled_and_refuses_what_is_not_a_query(
    ca: keys.LocalCA, settings: object
) -> None:
    url = reverse("signing:tsa")
    response = Client().post(url, b"x", content_type="application/timestamp-query")
    assert response.status_code == 404
    settings.SIGNING_TSA_SERVE = "1"  # type: ignore[attr-defined]
    assert Client().post(url, b"x", content_type="text/plain").status_code == 415
    response = Client().post(url, b"not der", content_type="application/timestamp-query")
    assert response.status_code == 400
    assert "not an RFC 3161 timestamp request" in response.content.decode()
