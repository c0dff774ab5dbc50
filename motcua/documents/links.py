"""Signed links to a result's electronic copy, for the National Public Service Portal to fetch.

The portal record of a dossier carries ``DuongDanTepTinKetQua``, the address of the result's e-copy
(domain-research §6). Staff downloads need a signed-in user, which the portal is not; so the address is a
capability: ``/tep-ket-qua/<token>/``, where the token is the result document's id signed with the secret key
(``django.core.signing``, its own salt) and valid for :data:`LINK_MAX_AGE`. A tampered, expired or unknown token is
a 404, whatever the cause. Nothing else is reachable through it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from django.core import signing
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.views.decorators.http import require_GET

from motcua.documents.files import document_storage
from motcua.documents.models import ResultDocument

__all__ = ["LINK_MAX_AGE", "result_file_path", "result_file_view"]

LINK_MAX_AGE: Final = timedelta(days=365)
_SALT: Final = "motcua.documents.result-file"


def result_file_path(link: ResultDocument) -> str:
    """The site-relative address of a result e-copy for the portal (prefix it with the public URL)."""
    token = signing.dumps({"r": link.pk}, salt=_SALT, compress=True)
    return reverse("result_file", args=[token])


@require_GET
def result_file_view(request: HttpRequest, token: str) -> FileResponse:
    try:
        data = signing.loads(token, salt=_SALT, max_age=LINK_MAX_AGE)
        link = ResultDocument.objects.select_related("document").get(pk=int(data["r"]))
    except (signing.BadSignature, ResultDocument.DoesNotExist, KeyError, TypeError, ValueError):
        raise Http404("no such result file") from None
    document = link.document
    return FileResponse(
        document_storage().open(document.storage_name, "rb"),
        content_type=document.content_type,
        as_attachment=True,
        filename=document.original_name,
    )
