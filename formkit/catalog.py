"""Open a catalog folder: load it, then check every expression against its matter."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from formkit.calendar import WorkCalendar
from formkit.definitions.loader import LoadedCatalog, load_catalog, paused_gc
from formkit.definitions.parsecache import ParseCache
from formkit.dsl.library import Libraries, load_libraries
from formkit.errors import NotFoundError
from formkit.ruleset import BundleRules, RuleSet

__all__ = ["OpenCatalog", "catalog_signature", "open_catalog"]


@dataclass
class OpenCatalog(LoadedCatalog):
    """A loaded catalog whose expressions have been checked, with each matter's rules."""

    libraries: Libraries = field(default_factory=Libraries)
    rules: dict[str, RuleSet] = field(default_factory=dict)
    bundle_rules: dict[str, BundleRules] = field(default_factory=dict)
    _calendar: WorkCalendar | None = field(default=None, repr=False)

    def work_calendar(self) -> WorkCalendar:
        """The official schedule with this centre's local holidays, closures and opening days.

        Local holidays (全国年节及纪念日放假办法 §4) are rest days for every limit; a closure
        still counts (行政许可法 §82 leaves out only statutory holidays) but a limit
        ending on it ends on the next open working day (民法典 §203); an opening day
        (延时服务日) is open but never counted.
        """
        if self._calendar is None:
            from formkit.calendar import OfficialSchedule

            cal = self.calendar
            official = OfficialSchedule.from_package()
            if cal and cal.official:
                # a notice entered before the package has it replaces the whole year
                official = official.merged(OfficialSchedule(
                    holidays=frozenset(d for y in cal.official for d in y.holidays),
                    workdays=frozenset(d for y in cal.official for d in y.workdays),
                    years=frozenset(y.year for y in cal.official)))
            self._calendar = WorkCalendar(
                closures=[d.date for d in cal.holidays] if cal else (),
                shut_days=[d.date for d in cal.closures] if cal else (),
                opening_days=[d.date for d in cal.workdays] if cal else (),
                official=official)
        return self._calendar

    def rules_of(self, code: str) -> RuleSet | None:
        """The checked rules of the matter ``code``."""
        return self.rules.get(code)

    def bundle_rules_of(self, code: str) -> BundleRules | None:
        """The checked rules of the bundle ``code`` (高效办成一件事)."""
        return self.bundle_rules.get(code)

    def unknown_matter(self, code: str) -> NotFoundError:
        """The error for a matter (or bundle) code this catalog does not have, with the
        closest code."""
        close = difflib.get_close_matches(code, [*self.matters, *self.bundles], n=1)
        return NotFoundError(f"no matter '{code}' in {self.root}", None, code="unknown-matter",
                             hint=f"did you mean '{close[0]}'?" if close else
                             "'formkit validate' lists the catalog's matters and problems")


def open_catalog(root: str | os.PathLike[str],
                 overrides: Mapping[Path, str | None] | None = None, *,
                 cache: ParseCache | bool = True) -> OpenCatalog:
    """Load ``root`` and check every definition and expression; errors are collected.

    ``overrides``: matter files to read from given texts; ``cache``: the parse cache
    of clean matter files (see ``load_catalog``).
    """
    with paused_gc():
        return _open_catalog(root, overrides, cache)


def _open_catalog(root: str | os.PathLike[str],
                  overrides: Mapping[Path, str | None] | None,
                  cache: ParseCache | bool) -> OpenCatalog:
    loaded = load_catalog(root, overrides, cache=cache)
    result = OpenCatalog(**{f: getattr(loaded, f) for f in loaded.__dataclass_fields__})
    if result.catalog is not None:
        # normpath: errors say rules/common.rules, not definitions/../rules/common.rules
        folder = Path(os.path.normpath(result.root / result.catalog.rules))
        result.libraries = load_libraries(folder)
        result.errors.extend(result.libraries.errors)
    seen: set[tuple[str, str | None, int | None, int | None]] = set()
    for code, matter in result.matters.items():
        rules = RuleSet.build(matter, result.libraries)
        result.rules[code] = rules
        for error in rules.errors:
            # A library's own mistake is found in every matter that uses it: tell it once.
            span = error.span
            key = (error.message, span.file if span else None, span.line if span else None,
                   span.column if span else None)
            if key not in seen:
                seen.add(key)
                result.errors.append(error)
    for code, bundle in result.bundles.items():
        bundle_rules = BundleRules.build(bundle, result.rules, result.libraries)
        result.bundle_rules[code] = bundle_rules
        result.errors.extend(bundle_rules.errors)
        # the cross-checks' errors in its file are its own too: a bundle that fails
        # them (a field it fills is gone) must not take applications
        bundle_rules.errors.extend(e for e in result.errors if e.span is not None
                                   and e.span.file == bundle.file
                                   and e not in bundle_rules.errors)
    return result


def catalog_signature(root: Path) -> tuple[tuple[str, float], ...]:
    """Names and modification times of every definition file: a key for caching an
    opened catalog in a long-running process (the studio, a server)."""
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
