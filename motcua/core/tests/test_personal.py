"""The one masking rule for ID and phone numbers (last 3 characters visible)."""

from __future__ import annotations

import pytest

from motcua.api.errors import mask as api_mask
from motcua.core.personal import mask_contact, mask_number
from motcua.forms.formatting import mask as form_mask
from motcua.logging import mask_personal_data
from motcua.web.present import mask as web_mask


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("004090000123", "*********123"),  # CCCD, 12 digits
        ("012345678", "******678"),  # old ID card, 9 digits
        ("0912345678", "*******678"),
        ("0912 345 678", "*********678"),  # as typed: one star per character
        ("1234", "*234"),
        ("123", "***"),  # too short to keep anything
        ("12", "**"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_number_keeps_only_the_last_3_characters(value: str | None, masked: str) -> None:
    assert mask_number(value) == masked


def test_every_reader_masks_the_same_way() -> None:
    # given
    cccd = "004090000123"
    # when
    shown = {web_mask(cccd), api_mask(cccd), form_mask(cccd), mask_personal_data(cccd)}
    # then
    assert shown == {"*********123"}


def test_contacts_are_masked_by_the_same_rule_in_petitions_notifications_and_errors() -> None:
    from motcua.dossiers.services import _mask as error_mask
    from motcua.feedback.selectors import mask_contact as petition_mask
    from motcua.notify.backends import EMAIL, SMS, mask_recipient

    assert mask_contact("0912 345 678") == "*******678"  # the digits of a typed phone number
    assert mask_contact("nong.van.a@example.vn") == "n***@example.vn"
    assert mask_contact("  ") == ""
    phone = "0912345678"
    assert {petition_mask(phone), mask_recipient(SMS, phone), error_mask(phone)} == {"*******678"}
    assert mask_recipient(EMAIL, "an@mail.vn") == petition_mask("an@mail.vn") == "a***@mail.vn"
    assert error_mask("12") == "**"  # a short value is hidden whole, not shown whole
