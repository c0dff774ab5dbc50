"""Checking an upload by its real content, and keeping its bytes content-addressed in the documents storage.

The type is read from the file's first bytes (its *magic number*), never from its name or the browser's
``Content-Type``: a renamed executable is refused whatever it is called.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.utils.crypto import salted_hmac

from motcua.core.errors import FieldError

__all__ = [
    "ACCEPTED_TYPES",
    "CheckedFile",
    "document_storage",
    "file_check",
    "max_upload_bytes",
    "owner_id_hash",
    "sniff",
    "storage_name_for",
]

ACCEPTED_TYPES: dict[str, str] = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/tiff": ".tif",
}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    # recognised so that the refusal can name them
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
    (b"MZ", "application/x-msdownload"),
    (b"\x7fELF", "application/x-executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (b"RIFF", "application/x-riff"),
)


def sniff(head: bytes) -> str:
    """The content type of a file whose first bytes are ``head`` (at least 8 of them)."""
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    if not head:
        return "application/x-empty"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


def max_upload_bytes() -> int:
    return int(getattr(settings, "MOTCUA_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def file_check(*, field: str, name: str, stream: IO[bytes]) -> CheckedFile:
    """Read an upload and check it: a PDF, JPEG, PNG or TIFF by content, not larger than the configured limit.

    Raises :class:`FieldError` naming ``field``, the file name and what was wrong (the detected type, or the
    size and the limit).
    """
    limit = max_upload_bytes()
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise FieldError(field, name, f"the file {name!r} is larger than {limit:,} bytes")
    detected = sniff(content[:16])
    if detected not in ACCEPTED_TYPES:
        raise FieldError(
            field,
            name,
            f"the file {name!r} is {detected}; accepted types are PDF, JPEG, PNG and TIFF",
        )
    return CheckedFile(
        name=(name or "document")[-255:],
        content=content,
        content_type=detected,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def document_storage() -> Storage:
    """The ``documents`` entry of ``STORAGES`` (the ``default`` one when a deployment has no such entry)."""
    try:
        return storages["documents"]
    except Exception:  # InvalidStorageError when not configured
        return storages["default"]


def storage_name_for(sha256: str, content_type: str) -> str:
    """Content-addressed name: the same bytes always land at the same name."""
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}{ACCEPTED_TYPES.get(content_type, '')}"


def store_bytes(checked: CheckedFile) -> str:
    """Write the bytes unless they are already stored; return the storage name."""
    storage = document_storage()
    name = storage_name_for(checked.sha256, checked.content_type)
    if not storage.exists(name):
        saved = storage.save(name, ContentFile(checked.content))
        if saved != name:  # a concurrent writer stored the same bytes first: keep one copy
            storage.delete(saved)
    return name


def owner_id_hash(id_number: str) -> str:
    """A keyed hash (HMAC-SHA256 with the site's secret key) of an applicant's ID number; "" for none."""
    if not id_number:
        return ""
    return salted_hmac("motcua.documents.owner", id_number, algorithm="sha256").hexdigest()
