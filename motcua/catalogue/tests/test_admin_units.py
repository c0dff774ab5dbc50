"""Post-2025 administrative units fixture: no database, no Django."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from importlib import resources

import pytest

from motcua.catalogue import admin_units as au
from motcua.catalogue.admin_units import AdminUnitsError, load_admin_units


@pytest.fixture(scope="module")
def units():
    return load_admin_units()


def test_counts(units):
    assert len(units.provinces) == 34
    assert len(units.communes) == 3321


def test_commune_type_totals_match_official_figures(units):
    assert Counter(c.type for c in units.communes) == {"xa": 2621, "phuong": 687, "dac_khu": 13}


def test_province_kinds(units):
    kinds = Counter(p.kind for p in units.provinces)
    assert kinds == {"tinh": 28, "thanh_pho": 6}


def test_codes_unique_and_well_formed(units):
    p_codes = [p.admin_code for p in units.provinces]
    c_codes = [c.admin_code for c in units.communes]
    assert len(set(p_codes)) == len(p_codes)
    assert len(set(c_codes)) == len(c_codes)
    assert all(len(code) == 2 and code.isdigit() for code in p_codes)
    assert all(len(code) == 5 and code.isdigit() for code in c_codes)
    assert p_codes == sorted(p_codes)
    assert c_codes == sorted(c_codes)


def test_every_commune_has_an_existing_province(units):
    for c in units.communes:
        assert units.province(c.province) is not None, c
    assert sum(len(units.communes_of(p.admin_code)) for p in units.provinces) == 3321
    assert all(units.communes_of(p.admin_code) for p in units.provinces)


def test_cao_bang_and_dong_khe(units):
    cao_bang = units.province("04")
    assert cao_bang == au.Province("04", "Tỉnh Cao Bằng", "Cao Bằng", "tinh")
    dong_khe = units.commune("01786")
    assert dong_khe == au.Commune("01786", "Xã Đông Khê", "xa", "04")
    assert dong_khe in units.communes_of("04")
    assert len(units.communes_of("04")) == 56


def test_a_few_more_known_units(units):
    assert units.province("01").name == "Thành phố Hà Nội"
    assert units.province("01").kind == "thanh_pho"
    assert units.province("79").short_name == "Hồ Chí Minh"
    assert units.commune("26732") == au.Commune("26732", "Đặc khu Côn Đảo", "dac_khu", "79")
    # The package's wardType column is wrong for these; the name wins.
    assert units.commune("10543").type == "phuong"  # Phường Việt Hòa
    assert units.commune("11848").type == "xa"  # Xã Vĩnh Hòa
    assert units.commune("31213").type == "phuong"  # Phường Tân Lộc
    assert units.commune("31299").type == "xa"  # Xã Phong Điền


def test_names_non_empty_and_consistent(units):
    prefixes = {"xa": "Xã ", "phuong": "Phường ", "dac_khu": "Đặc khu "}
    for p in units.provinces:
        assert p.name.strip()
        assert p.short_name.strip()
        prefix = "Tỉnh " if p.kind == "tinh" else "Thành phố "
        assert p.name == prefix + p.short_name
        assert unicodedata.is_normalized("NFC", p.name)
    for c in units.communes:
        assert c.name.strip()
        assert c.name.startswith(prefixes[c.type])
        assert len(c.name) > len(prefixes[c.type])
        assert c.name == c.name.strip()
        assert "  " not in c.name
        assert unicodedata.is_normalized("NFC", c.name)


def test_unknown_codes(units):
    assert units.province("99") is None
    assert units.commune("99999") is None
    assert units.communes_of("99") == ()


def test_units_are_immutable(units):
    with pytest.raises(AttributeError):
        units.provinces[0].name = "x"  # type: ignore[misc]
    assert isinstance(units.provinces, tuple)
    assert isinstance(units.communes, tuple)


def test_fixture_metadata():
    raw = json.loads(
        resources.files("motcua.catalogue.data").joinpath("admin_units_2025.json").read_text("utf-8")
    )
    assert raw["effective"] == "2025-07-01"
    assert "vietnamadminunits" in raw["source"]
    assert "MIT" in raw["source"]
    licence = resources.files("motcua.catalogue.data").joinpath("LICENSE-vietnamadminunits.txt")
    assert "MIT License" in licence.read_text("utf-8")


def test_missing_fixture_raises_clear_error(monkeypatch):
    monkeypatch.setattr(au, "FIXTURE_NAME", "no-such-file.json")
    with pytest.raises(AdminUnitsError, match="missing"):
        au.load_admin_units.__wrapped__()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "top level"),
        ({"provinces": []}, "must be lists"),
        ({"provinces": [{"admin_code": "4"}], "communes": []}, "missing"),
        (
            {
                "provinces": [{"admin_code": "4", "name": "a", "short_name": "a", "kind": "tinh"}],
                "communes": [],
            },
            "bad admin_code",
        ),
        (
            {
                "provinces": [{"admin_code": "04", "name": "", "short_name": "a", "kind": "tinh"}],
                "communes": [],
            },
            "non-empty",
        ),
        (
            {
                "provinces": [],
                "communes": [{"admin_code": "01786", "name": "Xã Đông Khê", "type": "xa", "province": "04"}],
            },
            "unknown province",
        ),
        (
            {
                "provinces": [{"admin_code": "04", "name": "T", "short_name": "T", "kind": "tinh"}],
                "communes": [{"admin_code": "01786", "name": "X", "type": "ward", "province": "04"}],
            },
            "bad type",
        ),
    ],
)
def test_malformed_payload_raises(payload, message):
    with pytest.raises(AdminUnitsError, match=message):
        au._parse(payload)


def test_invalid_json_raises(monkeypatch, tmp_path):
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(au.resources, "files", lambda _pkg: tmp_path)
    monkeypatch.setattr(au, "FIXTURE_NAME", "broken.json")
    with pytest.raises(AdminUnitsError, match="not valid JSON"):
        au.load_admin_units.__wrapped__()
