"""The report as JSON: UTF-8 (Vietnamese kept as is), indent 2, keys in the order of interfaces §4."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from motcua.reports.render._common import GROUP_ORDER, SECTOR_GROUPS, SECTOR_ORDER, TOP_ORDER


def _ordered(data: Mapping[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """``data`` with the keys of ``order`` first (those present), then its other keys as they came."""
    keys = [k for k in order if k in data] + [k for k in data if k not in order]
    return {k: data[k] for k in keys}


def _group(name: str, value: Any) -> Any:
    if isinstance(value, Mapping) and name in GROUP_ORDER:
        return _ordered(value, GROUP_ORDER[name])
    return value


def ordered_report(report: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``report`` with every level in the §4 key order (added keys follow the known ones)."""
    result = {key: _group(key, value) for key, value in _ordered(report, TOP_ORDER).items()}
    if isinstance(result.get("by_sector"), list):
        result["by_sector"] = [
            {k: _group(k, v) if k in SECTOR_GROUPS else v for k, v in _ordered(item, SECTOR_ORDER).items()}
            if isinstance(item, Mapping) else item
            for item in result["by_sector"]
        ]
    return result


def render_json(report: Mapping[str, Any]) -> bytes:
    return (json.dumps(ordered_report(report), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
