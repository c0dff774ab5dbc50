"""Building dossiers that owe fees, and a tiny HTTP 'browser' (cookies, no automatic redirects)."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from conftest import COMMUNE, Staff, vn
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier


def submitted(staff: Staff, *, procedure: str = "1.001022", at: str = "2026-03-09 08:00") -> Dossier:
    return s.dossier_submit(
        procedure_code=procedure,
        receiving_unit_code=COMMUNE,
        channel="direct",
        applicant=s.Applicant(name="Nông Văn A", id_number="004090000123", phone="0912345678"),
        actor=staff.desk,
        components=[s.ComponentIn(code="TK", digitized=True)] if procedure == "1.001022" else [],
        at=vn(at),
    )


def processing(staff: Staff, *, procedure: str = "1.001022") -> Dossier:
    d = submitted(staff, procedure=procedure)
    d = s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))
    return s.dossier_forward(
        dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:00") + timedelta(minutes=5)
    )


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def _open(self, url: str, data: dict[str, str] | None = None) -> Answer:
        full = url if url.startswith("http") else self.base + url
        body = urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(full, data=body, headers={"Referer": self.base + "/"})  # noqa: S310
        try:
            with self.opener.open(request, timeout=60) as response:
                return Answer(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, dict(exc.headers), exc.read().decode())

    def get(self, url: str) -> Answer:
        return self._open(url)

    def post(self, url: str, data: dict[str, str]) -> Answer:
        return self._open(url, data)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)
