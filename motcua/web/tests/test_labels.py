"""Every code an officer may read has a Vietnamese label, and every action's form asks for what the
lifecycle table requires."""

from __future__ import annotations

import pytest

from motcua.domain.lifecycle import (
    DELIVERY_METHODS,
    RETURN_REASONS,
    STOP_REASONS,
    TRANSITIONS,
    Action,
    Role,
    State,
)
from motcua.dossiers.models import RECOMPUTE_DUE, Channel, Payment
from motcua.web import labels
from motcua.web.forms import ACTION_INPUTS
from motcua.web.present import mask, money


@pytest.mark.parametrize(
    ("mapping", "codes"),
    [
        (labels.STATE_LABELS, {s.value for s in State}),
        (labels.ACTION_LABELS, {a.value for a in Action} | {RECOMPUTE_DUE}),
        (labels.ROLE_LABELS, {r.value for r in Role}),
        (labels.CHANNEL_LABELS, set(Channel.values)),
        (labels.RETURN_REASON_LABELS, set(RETURN_REASONS)),
        (labels.STOP_REASON_LABELS, set(STOP_REASONS)),
        (labels.DELIVERY_LABELS, set(DELIVERY_METHODS)),
        (labels.PAYMENT_METHOD_LABELS, set(Payment.Method.values)),
    ],
)
def test_every_code_has_a_vietnamese_label(mapping: labels.Labels, codes: set[str]) -> None:
    assert {str(k) for k in mapping} == codes
    assert all(str(v).strip() for v in mapping.values())
    assert labels.label(mapping, next(iter(codes))) != next(iter(codes))


def test_a_plain_string_finds_the_label_of_an_enum_key() -> None:
    assert str(labels.STATE_LABELS["submitted"]) == "Chờ tiếp nhận"
    assert labels.label(labels.STATE_LABELS, "unknown") == "unknown"
    assert labels.label(labels.STATE_LABELS, "") == ""


@pytest.mark.parametrize("action", [a for a in Action if a is not Action.SUBMIT])
def test_each_action_form_asks_for_the_required_fields(action: Action) -> None:
    assert set(TRANSITIONS[action].required) <= set(ACTION_INPUTS[action])


def test_masks_and_money() -> None:
    assert mask("004090000123") == "*********123"
    assert mask("0912345678") == "*******678"
    assert mask("") == ""
    assert money(1234500) == "1.234.500 đ"
