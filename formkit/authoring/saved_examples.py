"""Examples saved from the studio's preview: a ``tests:`` entry that records what the
pre-check says now, appended to the matter's YAML with its layout kept."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import Any

from formkit.authoring.drafts import load_yaml
from formkit.authoring.steps import add_item, get_in
from formkit.errors import EditError
from formkit.intake.precheck import PrecheckResult

__all__ = ["add_example", "example_entry"]


def _at(data: Any, path: str) -> Any:
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            data = data[index] if isinstance(data, list) and index < len(data) else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
    return data


def _put_path(data: Any, path: str, value: Any) -> None:
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    for part in parts[:-1]:
        data = data[int(part[1:-1])] if part.startswith("[") else data.setdefault(part, {})
    last = parts[-1]
    if last.startswith("["):
        data[int(last[1:-1])] = value
    else:
        data[last] = value


def _pruned(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def example_entry(name: str, today: dt.date, values: dict[str, Any], raw: Any,
                  materials: list[dict[str, Any]], result: PrecheckResult
                  ) -> dict[str, Any]:
    """A ``tests:`` entry from the preview: the cleaned answers (the raw text where a
    field did not read), the materials handed in, and what the pre-check says now."""
    fields = {k: v for k, v in values.items()}
    for error in result.field_errors:
        typed = _at(raw, error.field)
        if typed not in (None, "") and not isinstance(typed, dict | list):
            with contextlib.suppress(KeyError, IndexError, TypeError, AttributeError):
                _put_path(fields, error.field, typed)
    expect: dict[str, Any] = {
        "outcome": result.outcome,
        "missing": sorted(m.id for m in result.missing_materials),
        "tolerated": sorted(m.id for m in result.tolerated_materials),
        "fetched": sorted(m.id for m in result.fetched_materials),
        "field_errors": sorted({e.field for e in result.field_errors}),
        "refusals": len(result.refusals), "warnings": len(result.warnings),
        "route": result.route}
    if result.committed_deadline is not None:
        expect["committed_deadline"] = result.committed_deadline.isoformat()
    if result.statutory_deadline is not None:
        expect["statutory_deadline"] = result.statutory_deadline.isoformat()
    return {"name": name.strip() or "example", "today": today.isoformat(),
            "fields": _pruned(fields), "materials": [dict(m) for m in materials],
            "expect": expect}


def add_example(text: str, entry: dict[str, Any]) -> str:
    """``text`` with ``entry`` appended to ``tests:``."""
    if any(isinstance(t, dict) and t.get("name") == entry["name"]
           for t in get_in(load_yaml(text), ("tests",)) or []):
        raise EditError(f"there is already an example named '{entry['name']}'", None,
                        code="duplicate-name", hint="give the example another name")
    return add_item(text, ("tests",), entry)
