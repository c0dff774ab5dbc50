"""The printed forms as A4 PDFs: WeasyPrint renders a Django template of ``forms/`` with a context of strings.

``render_form(name, context)`` is a pure function of its arguments (no database, no request, no clock): the
context comes from the builders of :mod:`motcua.forms.context`. The layout follows Decree 30/2020/NĐ-CP for
administrative documents: A4, margins 2 cm left and 1.5 cm elsewhere, Times New Roman 13 pt (or its metric
twin Liberation Serif), the agency and the national motto side by side at the top, a bold centred title.

When Django is not set up (a script, a worker without settings), the same template files are rendered with a
standalone template engine, as the periodic report does (:mod:`motcua.reports.render.pdf`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Literal, get_args

__all__ = ["FORM_NAMES", "TEMPLATES", "FormName", "render_form", "render_html"]

FormName = Literal["receipt", "supplement", "refusal", "apology", "control_slip", "tracking_book"]
FORM_NAMES: Final[tuple[str, ...]] = get_args(FormName)

TEMPLATES: Final[Mapping[str, str]] = {
    "receipt": "forms/01_receipt.html",
    "supplement": "forms/02_supplement.html",
    "refusal": "forms/03_refusal.html",
    "apology": "forms/04_apology.html",
    "control_slip": "forms/05_control_slip.html",
    "tracking_book": "forms/tracking_book.html",
}
"""The template of each form, under ``motcua/forms/templates/``."""

TEMPLATE_DIR: Final = Path(__file__).resolve().parent / "templates"


def render_html(name: str, context: Mapping[str, Any]) -> str:
    """The HTML of form ``name``: through Django's template loader when Django is set up, else standalone."""
    try:
        template = TEMPLATES[name]
    except KeyError:
        raise ValueError(f"unknown form {name!r}; expected one of {', '.join(TEMPLATES)}") from None
    from django.apps import apps

    if apps.ready:
        from django.template.loader import render_to_string

        return str(render_to_string(template, dict(context)))
    from django.template import Context, Engine

    engine = Engine(dirs=[str(TEMPLATE_DIR)], autoescape=True)
    return str(engine.get_template(template).render(Context(dict(context), autoescape=True)))


def render_form(name: str, context: Mapping[str, Any]) -> bytes:
    """Form ``name`` (one of :data:`FORM_NAMES`) as the bytes of an A4 PDF."""
    from weasyprint import HTML

    pdf = HTML(string=render_html(name, context), base_url=str(TEMPLATE_DIR)).write_pdf()
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return bytes(pdf)
