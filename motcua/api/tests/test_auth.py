"""Authentication: bearer tokens and the staff site's session (with CSRF); nothing else gets in."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import COMMUNE, Staff
from motcua.accounts.services import token_create, token_revoke

NEW_DOSSIER = {"procedure": "1.001193", "receiving_unit": COMMUNE, "channel": "direct",
               "applicant": {"name": "Lục Thị B"}}


@pytest.mark.parametrize("headers", [{}, {"HTTP_AUTHORIZATION": "Bearer mc_not-a-token"},
                                     {"HTTP_AUTHORIZATION": "Basic ZGVzazpwYXNz"}], ids=["none", "bad", "basic"])
def test_a_request_without_valid_credentials_is_401_problem(staff: Staff, headers: dict[str, str]) -> None:
    # when
    response = Client(**headers).get("/api/v1/units")
    # then
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    problem = response.json()
    assert (problem["status"], problem["title"]) == (401, "unauthenticated")
    assert problem["type"].startswith("https://")
    assert problem["detail"]


def test_an_unauthenticated_post_is_401_not_a_csrf_error(staff: Staff) -> None:
    # when
    response = Client(enforce_csrf_checks=True).post("/api/v1/dossiers", NEW_DOSSIER,
                                                     content_type="application/json")
    # then
    assert response.status_code == 401


def test_a_revoked_token_is_refused(staff: Staff) -> None:
    # given
    token, record = token_create(user=staff.desk)
    token_revoke(prefix=record.prefix)
    # when
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/units")
    # then
    assert response.status_code == 401


def test_a_bearer_token_needs_no_csrf_token(staff: Staff) -> None:
    # given
    token, _record = token_create(user=staff.desk)
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token}")
    # when
    response = client.post("/api/v1/dossiers", NEW_DOSSIER, content_type="application/json")
    # then
    assert response.status_code == 201, response.content


def test_a_session_reads_without_csrf_but_writes_only_with_it(staff: Staff) -> None:
    # given
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff.desk)
    client.get("/admin/login/")  # sets the csrftoken cookie
    csrf = client.cookies["csrftoken"].value
    # when
    read = client.get("/api/v1/sectors")
    refused = client.post("/api/v1/dossiers", NEW_DOSSIER, content_type="application/json")
    accepted = client.post("/api/v1/dossiers", NEW_DOSSIER, content_type="application/json",
                           HTTP_X_CSRFTOKEN=csrf)
    # then
    assert read.status_code == 200
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert accepted.status_code == 201, accepted.content


def test_an_inactive_users_token_is_refused(staff: Staff) -> None:
    # given
    token, _record = token_create(user=staff.desk)
    staff.desk.is_active = False
    staff.desk.save(update_fields=["is_active"])
    # when
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/units")
    # then
    assert response.status_code == 401
