"""The signing module's local CA fixtures (``data_dir``, ``ca``), for the signed receipt and e-result tests."""

from motcua.signing.tests.conftest import ca, data_dir  # noqa: F401
