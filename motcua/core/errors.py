"""Errors the services raise; the API maps them to ``application/problem+json``, the CLI to one stderr line.

ApplicationError            (400)  a rule refused the request
├── FieldError              (422)  one input field has a bad value: .field, .value
├── NotFound                (404)
├── Forbidden               (403)  the actor's roles or unit scope do not allow it
├── Conflict                (409)  the record changed since it was read, or a duplicate
└── StateError              (409)  the action is not allowed in the dossier's state: .state, .allowed
"""

from __future__ import annotations

from collections.abc import Sequence


class ApplicationError(Exception):
    status = 400
    code = "rule_violation"

    def __init__(self, message: str, *, field: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.value = value

    def as_problem(self) -> dict[str, object]:
        problem: dict[str, object] = {
            "type": f"https://motcua.vn/problems/{self.code}",
            "title": self.code.replace("_", " "),
            "status": self.status,
            "detail": self.message,
        }
        if self.field is not None:
            problem["field"] = self.field
            problem["value"] = (
                self.value if isinstance(self.value, (str, int, float, bool)) else str(self.value)
            )
        return problem


class FieldError(ApplicationError):
    status = 422
    code = "invalid_field"

    def __init__(self, field: str, value: object, message: str) -> None:
        shown = _show(value)
        text = message if "got " in message else f"{message} (got {shown})"
        super().__init__(f"{field}: {text}", field=field, value=value)


def _show(value: object) -> str:
    """A value as a person reads it in an error: ISO instants, quoted strings, plain numbers."""
    from datetime import date, datetime

    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return repr(value)
    return str(value)


class NotFound(ApplicationError):
    status = 404
    code = "not_found"


class Forbidden(ApplicationError):
    status = 403
    code = "forbidden"


class Conflict(ApplicationError):
    status = 409
    code = "conflict"


class StateError(ApplicationError):
    status = 409
    code = "action_not_allowed"

    def __init__(self, message: str, *, state: str | None, allowed: Sequence[str]) -> None:
        super().__init__(message, field="state", value=state)
        self.state = state
        self.allowed = tuple(allowed)

    def as_problem(self) -> dict[str, object]:
        problem = super().as_problem()
        problem["allowed_actions"] = list(self.allowed)
        return problem
