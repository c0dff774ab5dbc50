"""The public surface of the domain, and its purity (standard library + ``holidays`` only)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import motcua.domain

DOMAIN = Path(motcua.domain.__file__).parent


def _isort_key(name: str) -> tuple[int, str]:
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def test_all_is_sorted_and_complete() -> None:
    exported = motcua.domain.__all__

    # ruff's RUF022 order: CONSTANTS, then Classes, then functions, each alphabetical
    assert exported == sorted(exported, key=_isort_key)
    assert len(set(exported)) == len(exported)
    for name in exported:
        assert getattr(motcua.domain, name) is not None


def test_the_domain_imports_only_the_standard_library_and_holidays() -> None:
    allowed = set(sys.stdlib_module_names) | {"motcua"}
    for path in sorted(DOMAIN.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = [node.module.split(".")[0]]
            else:
                continue
            for root in roots:
                if root == "holidays":
                    assert path.name == "vn_holidays.py", f"{path.name} imports holidays"
                else:
                    assert root in allowed, f"{path.name} imports {root}"
