from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _payments_urls(settings: object) -> None:
    """Serve the site's URLs; while another module's URLs fail to import, a copy without them."""
    try:
        import motcua.urls  # noqa: F401
    except ImportError:
        settings.ROOT_URLCONF = "motcua.payments.tests.urls"  # type: ignore[attr-defined]
