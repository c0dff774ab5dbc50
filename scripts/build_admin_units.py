#!/usr/bin/env python3
"""Regenerate the post-2025 administrative-unit fixture shipped with motcua.

Reads the ``admin_units`` table (34 provinces, 3,321 communes after the
1 July 2025 reorganisation) from the SQLite database bundled with the MIT
licensed ``vietnamadminunits`` package and writes:

* ``motcua/catalogue/data/admin_units_2025.json``
* ``motcua/catalogue/data/LICENSE-vietnamadminunits.txt`` (verbatim copy)

The package is a *build-time* dependency only; motcua never imports it at run
time.  The package itself is not imported either (its ``__init__`` pulls in
shapely/numpy): we only locate its files.

Usage (from the repository root, with a venv that has the package)::

    .venv/bin/python scripts/build_admin_units.py          # write the files
    .venv/bin/python scripts/build_admin_units.py --check  # exit 1 if stale

Output is deterministic: same package data -> byte-identical files.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import re
import sqlite3
import sys
import unicodedata
from pathlib import Path

PACKAGE = "vietnamadminunits"
PACKAGE_URL = "https://github.com/tranngocminhhieu/vietnamadminunits"
EXPECTED_VERSION = "1.0.4"
EFFECTIVE = "2025-07-01"

# Official totals after the 2025 reorganisation (2,621 xã + 687 phường +
# 13 đặc khu = 3,321).  The build fails if the source data disagrees.
EXPECTED_PROVINCES = 34
EXPECTED_COMMUNES = 3321
EXPECTED_COMMUNE_TYPES = {"xa": 2621, "phuong": 687, "dac_khu": 13}

PROVINCE_PREFIXES = {"Tỉnh": "tinh", "Thành phố": "thanh_pho"}
COMMUNE_PREFIXES = {"Xã": "xa", "Phường": "phuong", "Đặc khu": "dac_khu"}

# In vietnamadminunits 1.0.4 the ``wardType`` column contradicts the unit's
# full name for exactly these four rows (the ``ward`` name, ``wardKey`` and
# the NQ-UBTVQH15 resolutions agree with each other, so the name wins).
# Any *other* disagreement stops the build so that a human looks at it.
KNOWN_WARDTYPE_ERRORS = {
    # code: (full name kept, wrong wardType in the package)
    "10543": ("Phường Việt Hòa", "Xã"),  # Hải Phòng
    "11848": ("Xã Vĩnh Hòa", "Phường"),  # Hải Phòng
    "31213": ("Phường Tân Lộc", "Xã"),  # Cần Thơ
    "31299": ("Xã Phong Điền", "Phường"),  # Cần Thơ
}

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "motcua" / "catalogue" / "data"
FIXTURE = DATA_DIR / "admin_units_2025.json"
LICENSE_OUT = DATA_DIR / "LICENSE-vietnamadminunits.txt"

PROVINCE_CODE_RE = re.compile(r"^[0-9]{2}$")
COMMUNE_CODE_RE = re.compile(r"^[0-9]{5}$")


class BuildError(Exception):
    pass


def _clean(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise BuildError(f"{what}: expected text, got {value!r}")
    text = unicodedata.normalize("NFC", " ".join(value.split()))
    if not text:
        raise BuildError(f"{what}: empty")
    return text


def _split_prefix(full_name: str, prefixes: dict[str, str], what: str) -> tuple[str, str]:
    """Return (kind, short name) for e.g. 'Thành phố Hà Nội'."""
    for prefix, kind in prefixes.items():
        if full_name.startswith(prefix + " "):
            short = full_name[len(prefix) + 1 :].strip()
            if short:
                return kind, short
    raise BuildError(f"{what}: {full_name!r} does not start with one of {list(prefixes)}")


def locate_package() -> tuple[Path, str, str]:
    """Return (package dir, version, licence text) without importing it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise BuildError(f"{PACKAGE} is not installed in this interpreter ({sys.executable})")
    pkg_dir = Path(next(iter(spec.submodule_search_locations)))
    dist = importlib.metadata.distribution(PACKAGE)
    version = dist.version
    licence = None
    for f in dist.files or ():
        if f.name.upper() in {"LICENSE", "LICENSE.TXT", "LICENSE.MD"}:
            licence = f.read_text(encoding="utf-8")
            break
    if not licence or "MIT License" not in licence:
        raise BuildError(f"could not find the MIT LICENSE file in the {PACKAGE} distribution")
    return pkg_dir, version, licence


def read_rows(db_path: Path) -> list[sqlite3.Row]:
    if not db_path.is_file():
        raise BuildError(f"missing {db_path}")
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        conn.row_factory = sqlite3.Row
        return conn.execute(
            "SELECT provinceCode, province, provinceShort,"
            " wardCode, ward, wardShort, wardType FROM admin_units"
        ).fetchall()
    finally:
        conn.close()


def build(rows: list[sqlite3.Row]) -> tuple[list[dict[str, str]], list[dict[str, str]], list[str]]:
    provinces: dict[str, dict[str, str]] = {}
    communes: dict[str, dict[str, str]] = {}
    notes: list[str] = []
    seen_mismatches: set[str] = set()

    for row in rows:
        p_code = _clean(row["provinceCode"], "provinceCode")
        if not PROVINCE_CODE_RE.match(p_code):
            raise BuildError(f"bad province code {p_code!r}")
        p_name = _clean(row["province"], f"province {p_code}")
        p_kind, p_short = _split_prefix(p_name, PROVINCE_PREFIXES, f"province {p_code}")
        if p_short != _clean(row["provinceShort"], f"provinceShort {p_code}"):
            raise BuildError(f"province {p_code}: {p_name!r} vs short {row['provinceShort']!r}")
        province = {"admin_code": p_code, "name": p_name, "short_name": p_short, "kind": p_kind}
        if provinces.setdefault(p_code, province) != province:
            raise BuildError(
                f"province {p_code} is described inconsistently: {provinces[p_code]} vs {province}"
            )

        c_code = _clean(row["wardCode"], "wardCode")
        if not COMMUNE_CODE_RE.match(c_code):
            raise BuildError(f"bad commune code {c_code!r}")
        c_name = _clean(row["ward"], f"ward {c_code}")
        c_type, c_short = _split_prefix(c_name, COMMUNE_PREFIXES, f"ward {c_code}")
        if c_short != _clean(row["wardShort"], f"wardShort {c_code}"):
            raise BuildError(f"ward {c_code}: {c_name!r} vs short {row['wardShort']!r}")
        declared = COMMUNE_PREFIXES.get(_clean(row["wardType"], f"wardType {c_code}"))
        if declared != c_type:
            known = KNOWN_WARDTYPE_ERRORS.get(c_code)
            if known != (c_name, row["wardType"]):
                raise BuildError(
                    f"ward {c_code} {c_name!r} has wardType {row['wardType']!r}; "
                    "not a known package error - check it and update KNOWN_WARDTYPE_ERRORS"
                )
            seen_mismatches.add(c_code)
            notes.append(f"{c_code} {c_name}: package wardType {row['wardType']!r} ignored, type from name")
        if c_code in communes:
            raise BuildError(f"duplicate commune code {c_code}")
        communes[c_code] = {"admin_code": c_code, "name": c_name, "type": c_type, "province": p_code}

    stale = set(KNOWN_WARDTYPE_ERRORS) - seen_mismatches
    if stale:
        notes.append(f"KNOWN_WARDTYPE_ERRORS no longer needed for {sorted(stale)} (fixed upstream?)")

    if len(provinces) != EXPECTED_PROVINCES:
        raise BuildError(f"expected {EXPECTED_PROVINCES} provinces, got {len(provinces)}")
    if len(communes) != EXPECTED_COMMUNES:
        raise BuildError(f"expected {EXPECTED_COMMUNES} communes, got {len(communes)}")
    by_type: dict[str, int] = {}
    for c in communes.values():
        by_type[c["type"]] = by_type.get(c["type"], 0) + 1
    if by_type != EXPECTED_COMMUNE_TYPES:
        raise BuildError(f"commune types {by_type} != official {EXPECTED_COMMUNE_TYPES}")
    for code in provinces:
        if not any(c["province"] == code for c in communes.values()):
            raise BuildError(f"province {code} has no communes")

    return (
        [provinces[k] for k in sorted(provinces)],
        [communes[k] for k in sorted(communes)],
        notes,
    )


def render(version: str, provinces: list[dict[str, str]], communes: list[dict[str, str]]) -> str:
    """JSON text, one unit per line (diff-friendly), UTF-8, trailing newline."""
    source = (
        f"{PACKAGE} {version} ({PACKAGE_URL}), MIT licence, "
        "Copyright (c) 2025 Tran Ngoc Minh Hieu; table admin_units of "
        f"{PACKAGE}/data/dataset.db; commune type taken from the unit name where the "
        f"package's wardType column disagrees ({', '.join(sorted(KNOWN_WARDTYPE_ERRORS))}). "
        "Regenerate with scripts/build_admin_units.py."
    )

    def dump(obj: object) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))

    def block(items: list[dict[str, str]]) -> str:
        return "[\n" + ",\n".join("  " + dump(i) for i in items) + "\n]"

    text = (
        "{\n"
        f'"source": {dump(source)},\n'
        f'"effective": {dump(EFFECTIVE)},\n'
        f'"provinces": {block(provinces)},\n'
        f'"communes": {block(communes)}\n'
        "}\n"
    )
    # Round-trip guard: the hand-assembled text must be valid, lossless JSON.
    parsed = json.loads(text)
    if parsed["provinces"] != provinces or parsed["communes"] != communes:
        raise BuildError("rendered JSON does not round-trip")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the files are out of date"
    )
    args = parser.parse_args(argv)

    try:
        pkg_dir, version, licence = locate_package()
        if version != EXPECTED_VERSION:
            print(
                f"warning: {PACKAGE} {version} installed, script was reviewed against {EXPECTED_VERSION}",
                file=sys.stderr,
            )
        provinces, communes, notes = build(read_rows(pkg_dir / "data" / "dataset.db"))
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    for note in notes:
        print(f"note: {note}", file=sys.stderr)

    outputs = {
        FIXTURE: render(version, provinces, communes).encode("utf-8"),
        LICENSE_OUT: licence.encode("utf-8"),
    }
    if args.check:
        stale = [p for p, data in outputs.items() if not p.is_file() or p.read_bytes() != data]
        for p in stale:
            print(f"out of date: {p.relative_to(REPO_ROOT)}", file=sys.stderr)
        return 1 if stale else 0

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    for path, data in outputs.items():
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        print(f"wrote {path.relative_to(REPO_ROOT)} ({len(data)} bytes)")
    print(f"{len(provinces)} provinces, {len(communes)} communes from {PACKAGE} {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
