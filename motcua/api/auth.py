"""Who is calling: a bearer token or a Django session.

- ``Authorization: Bearer mc_…``: tokens made by ``motcua token create --user NAME``
  (:func:`motcua.accounts.services.token_create`), checked by
  :func:`~motcua.accounts.services.token_authenticate`. For scripts and integrations; no CSRF.
- the Django session cookie of the staff site; a POST also needs the CSRF token in ``X-CSRFToken``.

Neither → 401 problem.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from motcua.accounts.models import User
from motcua.accounts.services import token_authenticate

__all__ = ["SessionAuth", "TokenAuth", "request_user"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return token_authenticate(token.strip()) if token else None


class SessionAuth(APIKeyCookie):
    """The staff site's session; unsafe methods must carry the CSRF token (header ``X-CSRFToken``).

    Unlike ninja's own ``SessionAuth``, CSRF is checked only once a session is found, so a request with no
    credentials at all gets 401, not a CSRF 403.
    """

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise AuthorizationError(403, "CSRF check failed: send the csrftoken cookie's value in the "
                                          "X-CSRFToken header")
        return user


def request_user(request: HttpRequest) -> User:
    """The authenticated user of a request that passed the API's authentication."""
    user = getattr(request, "auth", None)
    assert isinstance(user, User), "the API's authentication sets request.auth to a User"
    return user
