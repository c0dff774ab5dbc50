"""Issue 4: Vietnamese first, English second. The English catalogue is complete and compiled, the staff and
public pages follow the language cookie or the browser's Accept-Language, and the switcher works without
JavaScript."""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from conftest import Staff
from motcua.accounts.models import User
from motcua.web.tests.conftest import dossier_in, submit

LOCALE = Path(settings.LOCALE_PATHS[0])
PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdif]|%%")

Clients = Callable[[User], Client]


# -- a small .po reader (the standard library has none; no new dependency) --------------------------------


class Entry:
    def __init__(self) -> None:
        self.flags: set[str] = set()
        self.refs: list[str] = []
        self.msgctxt: str | None = None
        self.msgid = ""
        self.msgid_plural: str | None = None
        self.msgstr: dict[int, str] = {}

    @property
    def key(self) -> str:
        """The key gettext uses in a compiled catalogue: ``context\\x04msgid``."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    def where(self) -> str:
        return f"{self.refs[0] if self.refs else '?'}: {self.msgid!r}"


def read_po(path: Path) -> list[Entry]:
    """Every entry of a .po file but the header and obsolete (``#~``) ones."""
    entries: list[Entry] = []
    entry = Entry()
    field: tuple[str, int] | None = None

    def close() -> None:
        nonlocal entry, field
        if entry.msgstr:
            entries.append(entry)
        entry, field = Entry(), None

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line:
            close()
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            entry.refs.extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert field is not None, line
            text = ast.literal_eval(line)
            name, index = field
            if name == "msgstr":
                entry.msgstr[index] += text
            else:
                setattr(entry, name, (getattr(entry, name) or "") + text)
        else:
            keyword, _, value = line.partition(" ")
            text = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                entry.msgstr[index] = text
                field = ("msgstr", index)
            else:
                setattr(entry, keyword, text)
                field = (keyword, 0)
    return [e for e in entries if e.msgid]


def mo_catalogue(path: Path) -> dict[object, str]:
    with path.open("rb") as f:
        catalogue = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    return {k: v for k, v in catalogue.items() if k != ""}


def po_catalogue(entries: list[Entry]) -> dict[object, str]:
    """What msgfmt makes of the entries (fuzzy ones are left out of a compiled catalogue)."""
    catalogue: dict[object, str] = {}
    for e in entries:
        if "fuzzy" in e.flags:
            continue
        if e.msgid_plural is None:
            catalogue[e.key] = e.msgstr[0]
        else:
            for i, text in e.msgstr.items():
                catalogue[(e.key, i)] = text
    return catalogue


@pytest.fixture(autouse=True)
def _back_to_the_default_language() -> Iterator[None]:
    """Requests activate their language in this thread; the next test starts from the default again."""
    yield
    translation.deactivate()


# -- the catalogue -----------------------------------------------------------------------------------------


def test_the_english_catalogue_has_no_untranslated_or_fuzzy_entry() -> None:
    # given
    entries = read_po(PO)
    # when
    fuzzy = [e.where() for e in entries if "fuzzy" in e.flags]
    empty = [e.where() for e in entries if not all(e.msgstr.values())]
    plural_forms = [e.where() for e in entries if e.msgid_plural is not None and sorted(e.msgstr) != [0, 1]]
    # then
    assert len(entries) > 1000
    assert fuzzy == []
    assert empty == []
    assert plural_forms == []


def test_every_translation_keeps_the_placeholders_of_its_msgid() -> None:
    # given
    entries = read_po(PO)
    # when
    broken = [
        (e.where(), text)
        for e in entries
        for text in e.msgstr.values()
        if sorted(set(PLACEHOLDER.findall(e.msgid))) != sorted(set(PLACEHOLDER.findall(text)))
    ]
    # then
    assert broken == []


def test_the_catalogue_header_says_english_and_utf8() -> None:
    header = PO.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert '"Language: en\\n"' in header
    assert "charset=UTF-8" in header
    assert "#, fuzzy" not in header


def test_the_committed_mo_is_the_compiled_po() -> None:
    # given
    expected = po_catalogue(read_po(PO))
    # when
    compiled = mo_catalogue(MO)
    # then
    assert compiled == expected, "run `motcua compilemessages -l en` from motcua/ and commit django.mo"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_msgfmt_compiles_the_po_to_the_same_catalogue_as_the_committed_mo(tmp_path: Path) -> None:
    # given
    fresh = tmp_path / "django.mo"
    # when
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(PO)], check=True)
    # then
    assert mo_catalogue(fresh) == mo_catalogue(MO)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_every_string_of_the_code_is_in_the_english_catalogue(tmp_path: Path) -> None:
    """``makemessages`` on a copy of the code finds no string that the committed catalogue lacks."""
    # given: a copy of the package's code and catalogue
    copy = tmp_path / "motcua"
    shutil.copytree(
        LOCALE.parent, copy, ignore=shutil.ignore_patterns("tests", "__pycache__", "*.mo", "static")
    )
    # when
    subprocess.run(
        [
            sys.executable,
            "-P",
            "-m",
            "motcua",
            "makemessages",
            "-l",
            "en",
            "--ignore=*/tests/*",
            "--no-obsolete",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    # then
    entries = read_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    missing = [e.where() for e in entries if "fuzzy" in e.flags or not all(e.msgstr.values())]
    assert missing == [], (
        "strings missing from the English catalogue: from motcua/, run `motcua makemessages -l en "
        "--ignore='*/tests/*' --no-obsolete`, translate them, then `motcua compilemessages -l en`"
    )


# -- pages in each language --------------------------------------------------------------------------------


def test_a_staff_page_is_vietnamese_by_default(staff: Staff, client_of: Clients) -> None:
    # given
    submit(staff)
    # when
    html = client_of(staff.desk).get("/can-bo/").content.decode()
    # then
    assert '<html lang="vi">' in html
    assert "Đăng xuất" in html
    assert "Hồ sơ cần xử lý" in html
    assert "Sign out" not in html


def test_a_staff_page_is_english_when_the_language_cookie_says_en(staff: Staff, client_of: Clients) -> None:
    # given
    dossier = dossier_in(staff, "supplement_requested")
    client = client_of(staff.desk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when
    html = client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
    # then
    assert '<html lang="en">' in html
    assert "Sign out" in html
    assert "Processing history" in html
    assert "Awaiting supplement" in html  # the state label (web.labels), lazy and translated
    assert "Request a supplement" in html  # the action label of the timeline
    assert "Đăng xuất" not in html
    assert "Quá trình giải quyết" not in html


def test_a_staff_page_is_english_when_the_browser_asks_for_english(staff: Staff, client_of: Clients) -> None:
    # given
    client = client_of(staff.desk)
    # when
    html = client.get("/can-bo/", headers={"accept-language": "en-GB,en;q=0.9"}).content.decode()
    # then
    assert '<html lang="en">' in html
    assert "Dossiers to handle" in html
    assert ">Intake<" in html  # the menu's "Tiếp nhận" (context "menu"), not the action "Accept"


def test_one_vietnamese_word_gets_the_english_of_its_place(staff: Staff, client_of: Clients) -> None:
    # given
    client = client_of(staff.desk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when
    intake = client.get("/can-bo/tiep-nhan/?procedure=1.001022").content.decode()
    # then: "Tiếp nhận" is the menu's Intake and the decision's Accept
    assert ">Intake<" in intake
    assert 'value="accept">Accept</button>' in intake


def test_a_public_page_is_vietnamese_by_default_and_english_on_request(db: None) -> None:
    # given
    client = Client()
    # when
    vietnamese = client.get("/").content.decode()
    english = client.get("/", headers={"accept-language": "en"}).content.decode()
    # then
    assert '<html lang="vi">' in vietnamese
    assert "Tra cứu tình trạng hồ sơ" in vietnamese
    assert "Cổng thông tin công dân" in vietnamese
    assert '<html lang="en">' in english
    assert "Check the status of a dossier" in english
    assert "Citizens&#x27; portal" in english or "Citizens' portal" in english
    assert "Tra cứu tình trạng hồ sơ" not in english


def test_the_public_lookup_form_answers_in_english(db: None) -> None:
    # given
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when
    html = client.get("/tra-cuu/").content.decode()
    # then
    assert "Lookup code" in html
    assert "Mã tra cứu" not in html


def test_a_form_that_does_not_apply_is_explained_in_english(staff: Staff, client_of: Clients) -> None:
    # given: a dossier not accepted yet has no receipt (Form 01)
    dossier = submit(staff)
    client = client_of(staff.desk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when
    response = client.get(f"/can-bo/bieu-mau/{dossier.pk}/01-giay-tiep-nhan.pdf")
    # then
    html = response.content.decode()
    assert response.status_code == 404
    assert "The form cannot be printed" in html
    assert "has not been accepted" in html
    assert "Về trang cán bộ" not in html


def test_an_official_form_stays_vietnamese_when_the_officer_reads_english(
    staff: Staff, client_of: Clients
) -> None:
    # given
    dossier = dossier_in(staff, "received")
    client = client_of(staff.desk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when
    response = client.get(f"/can-bo/bieu-mau/{dossier.pk}/01-giay-tiep-nhan.pdf")
    # then
    text = pdf_text(response.content)
    assert response.status_code == 200
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "Hình thức nộp hồ sơ: Trực tiếp" in text  # a label of web.labels, in Vietnamese
    assert "In person" not in text


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


# -- the switcher ------------------------------------------------------------------------------------------


def page(client: Client, url: str) -> str:
    """The page's HTML in NFC: Django's ``name_local`` of Vietnamese is decomposed (NFD)."""
    return unicodedata.normalize("NFC", client.get(url).content.decode())


def test_the_switcher_is_a_plain_form_that_posts_to_set_language(staff: Staff, client_of: Clients) -> None:
    # given
    html = page(client_of(staff.desk), "/can-bo/")
    # when
    form = re.search(r'<form class="lang" method="post" action="(?P<action>[^"]+)".*?</form>', html, re.S)
    # then
    assert form is not None
    assert form["action"] == "/i18n/setlang/"
    assert 'name="csrfmiddlewaretoken"' in form[0]
    assert 'name="next" value="/can-bo/"' in form[0]
    assert '<strong lang="vi" aria-current="true">Tiếng Việt</strong>' in form[0]
    assert '<button type="submit" name="language" value="en" lang="en">English</button>' in form[0]
    assert "<script" not in form[0]


def test_the_public_layout_has_the_switcher_too(db: None) -> None:
    html = page(Client(), "/thu-tuc/")
    assert 'action="/i18n/setlang/"' in html
    assert ">English</button>" in html


def test_switching_to_english_and_back(db: None) -> None:
    # given
    client = Client()
    # when
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/thu-tuc/"})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/thu-tuc/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english = page(client, "/thu-tuc/")
    assert '<html lang="en">' in english
    assert '<strong lang="en" aria-current="true">English</strong>' in english
    assert '<button type="submit" name="language" value="vi" lang="vi">Tiếng Việt</button>' in english
    # when
    client.post("/i18n/setlang/", {"language": "vi", "next": "/thu-tuc/"})
    # then
    assert '<html lang="vi">' in client.get("/thu-tuc/").content.decode()


def test_the_switcher_refuses_to_redirect_off_site(db: None) -> None:
    response = Client().post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
