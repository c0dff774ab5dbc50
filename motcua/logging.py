"""Keep personal data (ID numbers, phone numbers) and lookup secrets out of every log line.

Logs are read by people who have no need to see citizens' identifiers, so every record passes through
:class:`PersonalDataFilter`, which masks 9–12 digit citizen ID numbers and Vietnamese phone numbers in the
message and its arguments, and hides a dossier's lookup secret wherever a line carries one (a lookup link's
``bi-mat=`` parameter, an access log of ``/tra-cuu/?ma=…&bi-mat=…``, the text of a message to the applicant:
"Mã tra cứu: …"), since the secret with the dossier code opens the dossier's public page.
"""

from __future__ import annotations

import logging
import re

from motcua.core.personal import mask_number

# 12-digit citizen identity numbers (CCCD), 9-digit old ID cards, and phone numbers (0xxxxxxxxx, +84xxxxxxxxx).
_PATTERNS = (
    re.compile(r"(?<!\d)(?:\+?84|0)\d{9}(?!\d)"),
    re.compile(r"(?<!\d)\d{12}(?!\d)"),
    re.compile(r"(?<!\d)\d{9}(?!\d)"),
)


# A lookup secret: as a query parameter, or after its label in a message (with or without diacritics).
_SECRETS = (
    re.compile(r"(?i)((?:bi-mat|bi_mat|secret)=)[^&\s\"'<>]+"),
    re.compile(r"(?i)((?:mã tra cứu|ma tra cuu)\s*:\s*)[A-Za-z0-9]+"),
)


def mask_personal_data(text: str) -> str:
    """Replace ID and phone numbers in ``text`` by a mask keeping the last 3 digits, and lookup secrets by
    ``***``."""
    for secret in _SECRETS:
        text = secret.sub(lambda m: m.group(1) + "***", text)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: mask_number(m.group(0)), text)
    return text


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        masked = mask_personal_data(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True
