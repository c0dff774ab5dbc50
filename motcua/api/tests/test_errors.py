"""Error mapping: every error is application/problem+json, and personal numbers are never echoed in full."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from conftest import Staff
from motcua.accounts.models import User
from motcua.api.errors import field_path, mask, mask_value
from motcua.core.errors import FieldError

Clients = Callable[[User], Client]


@pytest.mark.parametrize(("value", "masked"), [("004090000123", "*********123"), ("0912345678", "*******678"),
                                                ("12", "**"), ("", "")])
def test_mask_keeps_only_the_last_3_characters(value: str, masked: str) -> None:
    # then
    assert mask(value) == masked


def test_mask_value_masks_id_and_phone_numbers_wherever_they_are() -> None:
    # given
    value = {"name": "A", "id_number": "004090000123", "contacts": [{"phone": "0912345678"}]}
    # when / then
    assert mask_value("applicant", value) == {"name": "A", "id_number": "*********123",
                                              "contacts": [{"phone": "*******678"}]}
    assert mask_value("applicant.phone", "0912345678") == "*******678"
    assert mask_value("components[0].code", "TK") == "TK"


def test_field_paths_name_list_items() -> None:
    # then
    assert field_path(("components", 0, "code")) == "components[0].code"
    assert field_path(("applicant", "name")) == "applicant.name"


def test_a_service_error_naming_an_id_number_is_masked(staff: Staff, client_of: Clients,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # given: a service that would echo a full ID number
    def leaky(**kwargs: Any) -> Any:
        raise FieldError("applicant.id_number", "004090000123", "is already registered")

    monkeypatch.setattr("motcua.api.dossiers.dossier_list", leaky)
    # when
    response = client_of(staff.desk).get("/api/v1/dossiers")
    # then
    assert response.status_code == 422
    assert response.json()["value"] == "*********123"


def test_an_unexpected_error_is_a_500_problem_without_details(staff: Staff, client_of: Clients,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("motcua.api.dossiers.dossier_list", broken)
    # when
    response = client_of(staff.desk).get("/api/v1/dossiers")
    # then
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert "secret" not in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/dossiers/1/actions/submit"])
def test_an_unknown_endpoint_is_a_404_problem(staff: Staff, client_of: Clients, path: str) -> None:
    # when
    response = client_of(staff.desk).post(path)
    # then
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
