"""Listeners on dossier events run inside the action's transaction (motcua.dossiers.hooks)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from conftest import Staff
from motcua.dossiers import hooks
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.test_services import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def seen() -> Iterator[list[tuple[str, int, list[str]]]]:
    calls: list[tuple[str, int, list[str]]] = []

    def record(dossier: Dossier, events: Sequence[DossierEvent]) -> None:
        calls.append((dossier.state, dossier.version, [e.action for e in events]))

    hooks.listen("test.record", record)
    yield calls
    hooks.unlisten("test.record")


def test_listeners_see_each_event_with_the_saved_dossier(staff: Staff, seen: list) -> None:
    # given / when
    d = submit(staff)
    s.dossier_accept(dossier_id=d.pk, actor=staff.desk)
    # then
    assert seen == [("submitted", 1, ["submit"]), ("received", 2, ["accept"])]


def test_a_failing_listener_rolls_the_action_back(staff: Staff) -> None:
    # given
    d = submit(staff)

    def boom(dossier: Dossier, events: Sequence[DossierEvent]) -> None:
        raise RuntimeError("listener failed")

    hooks.listen("test.boom", boom)
    try:
        # when
        with pytest.raises(RuntimeError, match="listener failed"):
            s.dossier_accept(dossier_id=d.pk, actor=staff.desk)
    finally:
        hooks.unlisten("test.boom")
    # then nothing of the acceptance remains
    d.refresh_from_db()
    assert (d.state, d.version, d.code) == ("submitted", 1, None)
    assert list(d.events.values_list("action", flat=True)) == ["submit"]


def test_a_refused_action_notifies_no_one(staff: Staff, seen: list) -> None:
    # given
    d = submit(staff)
    seen.clear()
    # when
    with pytest.raises(Exception, match="deliver"):
        s.dossier_deliver(dossier_id=d.pk, actor=staff.desk, payload={"method": "desk"})
    # then
    assert seen == []
