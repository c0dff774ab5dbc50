"""The citizen's personal data store (kho dữ liệu cá nhân): documents a citizen already holds electronically.

motcua talks to it through :class:`PersonalDataStore`. The implementation is chosen by the setting
``MOTCUA_PERSONAL_DATA_STORE`` (a dotted path to a class taking no arguments); the default is
:class:`SandboxPersonalDataStore`, which answers every 9- or 12-digit ID number with the same two documents,
made on the fly (a PDF of the ID card and a PNG of the household registration).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from motcua.core.errors import NotFound

__all__ = ["PdsDocument", "PersonalDataStore", "SandboxPersonalDataStore", "personal_data_store"]


@dataclass(frozen=True)
class PdsDocument:
    ref: str
    name: str
    kind: str


class PersonalDataStore(Protocol):
    def documents(self, *, id_number: str) -> list[PdsDocument]:
        """The documents the citizen with ``id_number`` keeps in the store."""
        ...

    def fetch(self, *, id_number: str, ref: str) -> tuple[PdsDocument, bytes]:
        """One document's description and bytes; :class:`NotFound` if the citizen has no such document."""
        ...


def _pdf(text: str) -> bytes:
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _png(width: int, height: int, seed: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([(seed + x + y) % 256 for x in range(width)]) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


class SandboxPersonalDataStore:
    """A store that holds, for every valid ID number, a copy of the ID card and of the household registration."""

    def documents(self, *, id_number: str) -> list[PdsDocument]:
        if not (id_number.isdigit() and len(id_number) in (9, 12)):
            return []
        return [
            PdsDocument(ref="cccd", name="can-cuoc.pdf", kind="Căn cước"),
            PdsDocument(ref="ct01", name="xac-nhan-cu-tru.png", kind="Xác nhận thông tin cư trú"),
        ]

    def fetch(self, *, id_number: str, ref: str) -> tuple[PdsDocument, bytes]:
        found = {d.ref: d for d in self.documents(id_number=id_number)}
        if ref not in found:
            raise NotFound(
                f"the personal data store has no document {ref!r} for this citizen", field="ref", value=ref
            )
        suffix = id_number[-3:]
        if ref == "cccd":
            return found[ref], _pdf(f"CAN CUOC ***{suffix}")
        return found[ref], _png(32, 16, int(suffix))


def personal_data_store() -> PersonalDataStore:
    path = (
        getattr(settings, "MOTCUA_PERSONAL_DATA_STORE", "") or "motcua.documents.pds.SandboxPersonalDataStore"
    )
    store: PersonalDataStore = import_string(path)()
    return store
