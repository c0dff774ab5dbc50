"""``Idempotency-Key`` on requests that create: a retried request gets the first answer, nothing twice.

The answer (status and body) is stored in :class:`~motcua.dossiers.models.IdempotencyRecord` in the same
transaction as the creation, keyed by (user, endpoint, key), with a hash of the request body:

- a repeat with the same key and the same body gets the stored answer (header ``Idempotent-Replayed: true``);
- the same key with another body is refused: 422 naming ``Idempotency-Key``;
- two concurrent first requests: the unique constraint lets one commit; the other's transaction (its dossier
  included) is rolled back and it answers with the stored record;
- a request that fails stores nothing (it created nothing), so it may be retried with the same key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpResponse

from motcua.accounts.models import User
from motcua.core.errors import FieldError
from motcua.dossiers.models import IdempotencyRecord

__all__ = ["HEADER", "idempotent"]

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def _hash(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _stored(*, user: User, endpoint: str, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(user=user, endpoint=endpoint, key=key).first()


def _response(status: int, body: Any, *, replayed: bool, location: Callable[[Any], str | None]) -> HttpResponse:
    response = HttpResponse(_serialize(body), status=status, content_type="application/json; charset=utf-8")
    where = location(body)
    if where:
        response["Location"] = where
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _replay(record: IdempotencyRecord, request_hash: str, key: str,
            location: Callable[[Any], str | None]) -> HttpResponse:
    if record.request_hash != request_hash:
        raise FieldError(HEADER, key, "was already used for a different request body; use a new key")
    # The body is stored as its serialized text: PostgreSQL's jsonb would reorder the keys, and a replay must be
    # byte-for-byte the first answer.
    body = json.loads(record.body) if isinstance(record.body, str) else record.body
    return _response(record.status, body, replayed=True, location=location)


def _serialize(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False)


def idempotent(*, user: User, endpoint: str, key: str | None, payload: Any, status: int,
               create: Callable[[], Any], location: Callable[[Any], str | None]) -> HttpResponse:
    """Run ``create`` (which returns the JSON body) in one transaction, at most once per ``key``.

    ``payload`` is the request body as JSON values (its hash tells a retry from a different request).
    """
    if key is not None:
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise FieldError(HEADER, key, f"must be 1–{MAX_KEY_LENGTH} characters")
    if key is None:
        with transaction.atomic():
            body = create()
        return _response(status, body, replayed=False, location=location)
    request_hash = _hash(payload)
    record = _stored(user=user, endpoint=endpoint, key=key)
    if record is not None:
        return _replay(record, request_hash, key, location)
    try:
        with transaction.atomic():
            body = create()
            IdempotencyRecord.objects.create(user=user, endpoint=endpoint, key=key, request_hash=request_hash,
                                             status=status, body=_serialize(body))
    except IntegrityError:
        record = _stored(user=user, endpoint=endpoint, key=key)
        if record is None:
            raise
        return _replay(record, request_hash, key, location)
    return _response(status, body, replayed=False, location=location)
