"""Data the studio shows, computed without Streamlit so tests can check it."""

from __future__ import annotations

import os
from pathlib import Path

from formkit.catalog import OpenCatalog

__all__ = ["catalog_rows", "catalog_signature"]

_UNITS = {"working_days": "工作日", "calendar_days": "自然日"}


def catalog_signature(root: Path) -> tuple[tuple[str, float], ...]:
    """Names and modification times of every definition file (a cache key)."""
    out: list[tuple[str, float]] = []
    for dirpath, _, files in os.walk(root):
        for name in files:
            if name.endswith((".yaml", ".yml", ".rules")):
                path = Path(dirpath) / name
                out.append((str(path), path.stat().st_mtime))
    rules = root.parent / "rules"
    if rules.is_dir():
        out.extend((str(p), p.stat().st_mtime) for p in rules.glob("*.rules"))
    return tuple(sorted(out))


def catalog_rows(opened: OpenCatalog) -> list[dict[str, str]]:
    """One row per matter: department, code, name, kind, time limits."""
    names = {d.id: d.name.zh for d in opened.catalog.departments} if opened.catalog else {}
    rows = []
    for matter in sorted(opened.matters.values(), key=lambda m: (m.department, m.code)):
        limit = matter.time_limit
        unit = _UNITS[limit.unit]
        rows.append({
            "部门 Department": names.get(matter.department, matter.department),
            "编码 Code": matter.code,
            "事项名称 Matter": matter.name.zh,
            "Name (en)": matter.name.en or "",
            "法定时限 Statutory": "当场" if limit.statutory_days == 0
            else f"{limit.statutory_days} {unit}",
            "承诺时限 Committed": "即办" if limit.committed_days == 0
            else f"{limit.committed_days} {unit}",
        })
    return rows
