"""The OpenAPI document: served, complete, and committed up to date in docs/openapi.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from motcua.api.api import openapi_text
from motcua.core.management.commands.openapi import DEFAULT_PATH
from motcua.domain.lifecycle import Action


def test_the_committed_openapi_document_is_up_to_date() -> None:
    # then
    assert DEFAULT_PATH.read_text(encoding="utf-8") == openapi_text(), "run `motcua openapi --write`"


def test_check_exits_1_with_one_line_when_the_document_differs(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    # given
    stale = tmp_path / "openapi.json"
    stale.write_text("{}\n", encoding="utf-8")
    # when
    with pytest.raises(SystemExit) as exit_:
        call_command("openapi", "--check", "--output", str(stale))
    # then
    assert exit_.value.code == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "out of date" in err


def test_write_then_check_passes(tmp_path: Path) -> None:
    # given
    target = tmp_path / "docs" / "openapi.json"
    # when
    call_command("openapi", "--write", "--output", str(target))
    call_command("openapi", "--check", "--output", str(target))
    # then
    text = target.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert json.loads(text)["info"]["title"] == "motcua API"


def test_the_document_is_served_and_documents_every_action(db: None) -> None:
    # when
    response = Client().get("/api/v1/openapi.json")
    docs = Client().get("/api/v1/docs")
    # then
    assert (response.status_code, docs.status_code) == (200, 200)
    paths = response.json()["paths"]
    for action in Action:
        if action is not Action.SUBMIT:
            operation = paths[f"/api/v1/dossiers/{{dossier_id}}/actions/{action}"]["post"]
            assert operation["operationId"] == f"dossier_{action}"
            assert "application/problem+json" in operation["responses"]["409"]["content"]
