"""The REST API v1, mounted at ``/api/v1/`` (``motcua/urls.py``); OpenAPI at ``/api/v1/openapi.json``, docs at
``/api/v1/docs``. The routers only translate HTTP to the services and selectors and back.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Router
from ninja.errors import ValidationError, ValidationErrorContext
from ninja.openapi.schema import OpenAPISchema

from motcua.api import calendar, catalogue, dossiers, reports
from motcua.api.actions import add_action_routes
from motcua.api.auth import SessionAuth, TokenAuth
from motcua.api.common import Renderer
from motcua.api.errors import (
    PROBLEM_CONTENT_TYPE,
    install_error_handlers,
    problem,
    problem_response,
    validation_errors,
)

__all__ = ["api", "openapi_text"]

DESCRIPTION = """\
REST API of motcua, the commune one-stop (một cửa) dossier system.

- Authentication: `Authorization: Bearer <token>` (create one with `motcua token create --user NAME`), or the
  staff site's session (unsafe methods then need the `X-CSRFToken` header).
- Errors are `application/problem+json` (RFC 9457) with `type`, `title`, `status`, `detail`, and `field` /
  `value` when one input is at fault.
- Instants are ISO 8601 with an offset, shown in the unit's time zone (Asia/Ho_Chi_Minh).
- Lists take `limit` / `offset` and return `count` and `items`.

See docs/api.md for examples.
"""


class MotcuaAPI(NinjaAPI):
    def validation_error_from_error_contexts(
            self, error_contexts: list[ValidationErrorContext[Any]]) -> ValidationError:
        return ValidationError(validation_errors(error_contexts))

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        """ninja's document, with error responses typed ``application/problem+json``."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        return schema


api = MotcuaAPI(
    title="motcua API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth()],
    renderer=Renderer(),
)
install_error_handlers(api)
api.add_router("", catalogue.router)
api.add_router("", calendar.router)
add_action_routes(dossiers.router)
api.add_router("/dossiers", dossiers.router)
api.add_router("", reports.router)
api.add_router("", "motcua.api.reports_scoreboard.router")
api.add_router("/reform", "motcua.reform.api.router")
api.add_router("/portal", "motcua.api.portal.router")

fallback = Router()


@fallback.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None,
                        include_in_schema=False)
def unknown_path(request: HttpRequest, rest: str) -> HttpResponse:
    """Anything else under /api/v1/ is a 404 problem too (not Django's HTML page)."""
    return problem_response(problem(404, f"no such endpoint: {request.method} {request.path}"))


api.add_router("", fallback)  # last: it matches every path


def openapi_text() -> str:
    """The OpenAPI document as committed in ``docs/openapi.json``: sorted keys, indent 2, UTF-8."""
    return json.dumps(api.get_openapi_schema(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
