"""PRC working-day arithmetic for statutory and promised time limits (办结时限).

Time limits under the Administrative Licensing Law (§82) are counted in working days:
weekends and statutory holidays do not count, adjusted working weekend days (调休) do,
and the day of acceptance itself is not counted (Civil Code §201).

Three layers decide whether a day is a working day, highest priority first:

1. the centre's own overrides (local closures, extra opening days; ethnic-autonomous
   localities set their own holidays, 全国年节及纪念日放假办法 §4);
2. the official State Council schedule for the year (holidays and 调休 working days);
3. Monday-Friday work, Saturday-Sunday rest.

Two further lists say when the centre's window works, not which days count (the law
counts the State's working days, 行政许可法 §82, not the centre's hours):

* ``opening_days`` (延时服务日: a Saturday the window opens) are still rest days for every
  time limit, statutory or committed: the centre choosing to open does not shorten a
  period fixed in working days;
* ``shut_days`` (the centre shut on a working day: a system upgrade) still count, since
  only statutory holidays are left out (行政许可法 §82); a period whose last day falls on
  one ends on the next working day the centre is open (民法典 §203 applied to a day
  without business hours, as it applies to a statutory holiday).

Layer 2 is only known for years the State Council has announced (each November for the
following year). For a later year the days the law itself fixes are rest days
(:func:`statutory_holidays`, 全国年节及纪念日放假办法 as revised in 2024) and the weekday
rule does the rest; the 调休 and make-up days (§6) are not guessed, *and every result that
depended on such a year is flagged provisional*: a due date is never silently guessed.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

__all__ = ["DayResult", "OfficialSchedule", "WorkCalendar", "statutory_holidays"]

_BASE = date(2000, 1, 1).toordinal()
_SPAN = 60 * 366  # the prefix index covers 2000-2059; other dates use the day loop


# The 2024 revision of 全国年节及纪念日放假办法 applies from 2025-01-01.
_STATUTE_FROM = 2025
# 春节 (正月初一), 端午 (五月初五) and 中秋 (八月十五) in the Gregorian calendar, per
# GB/T 33661-2017 农历的编算和颁行 (cross-checked with the lunar-python package). Years
# after the table have only the fixed-date holidays, and stay provisional like any other.
_LUNAR_FESTIVALS: dict[int, tuple[date, date, date]] = {
    2025: (date(2025, 1, 29), date(2025, 5, 31), date(2025, 10, 6)),
    2026: (date(2026, 2, 17), date(2026, 6, 19), date(2026, 9, 25)),
    2027: (date(2027, 2, 6), date(2027, 6, 9), date(2027, 9, 15)),
    2028: (date(2028, 1, 26), date(2028, 5, 28), date(2028, 10, 3)),
    2029: (date(2029, 2, 13), date(2029, 6, 16), date(2029, 9, 22)),
    2030: (date(2030, 2, 3), date(2030, 6, 5), date(2030, 9, 12)),
    2031: (date(2031, 1, 23), date(2031, 6, 24), date(2031, 10, 1)),
    2032: (date(2032, 2, 11), date(2032, 6, 12), date(2032, 9, 19)),
    2033: (date(2033, 1, 31), date(2033, 6, 1), date(2033, 9, 8)),
    2034: (date(2034, 2, 19), date(2034, 6, 20), date(2034, 9, 27)),
    2035: (date(2035, 2, 8), date(2035, 6, 10), date(2035, 9, 16)),
}


@functools.cache
def statutory_holidays(year: int) -> frozenset[date]:
    """The days 全国年节及纪念日放假办法 (2024 revision, §2) itself gives everyone off.

    元旦 1 day (1-1), 春节 4 (除夕 and 正月初一-初三), 清明 1 (the solar term), 劳动节 2
    (5-1, 5-2), 端午 1, 中秋 1, 国庆 3 (10-1..10-3): 13 days. The lunar festivals are known
    for the years of the table above only. Before 2025 (another version of the rules)
    the set is empty: those years have official schedules.
    """
    if year < _STATUTE_FROM:
        return frozenset()
    days = {date(year, 1, 1), date(year, 5, 1), date(year, 5, 2),
            date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)}
    try:
        from chinese_calendar import get_solar_terms

        days.update(d for d, name in get_solar_terms(date(year, 4, 1), date(year, 4, 10))
                    if name == "清明")
    except (ImportError, NotImplementedError, ValueError):  # pragma: no cover
        pass  # outside the package's formula: the weekday rule, provisional anyway
    lunar = _LUNAR_FESTIVALS.get(year)
    if lunar is not None:
        spring, dragon_boat, mid_autumn = lunar
        days.update(spring + timedelta(days=k) for k in range(-1, 3))
        days.update((dragon_boat, mid_autumn))
    return frozenset(days)


@dataclass(frozen=True)
class DayResult:
    """A computed date or day count and whether it rests on unofficial (guessed) years."""

    value: date | int
    # True when some day examined lies in a year without official holiday data, so the
    # answer may change once the State Council publishes that year's notice.
    provisional: bool


@dataclass(frozen=True)
class OfficialSchedule:
    """Official holidays and adjusted working days (调休) for the years in ``years``.

    ``holidays`` are rest days (weekend days inside a holiday block may be listed too);
    ``workdays`` are the weekend days made working days by 调休. Only the years in
    ``years`` count as covered; a date of any other year must not appear in either set.
    """

    holidays: frozenset[date]
    workdays: frozenset[date]
    years: frozenset[int]

    def __post_init__(self) -> None:
        # A date outside the covered years would make is_provisional() say "guessed" for
        # a day that was in fact decided by data: reject it at construction instead.
        stray = sorted(d for d in self.holidays | self.workdays if d.year not in self.years)
        if stray:
            raise ValueError(f"dates outside the covered years {sorted(self.years)}: {stray[:5]}")
        both = sorted(self.holidays & self.workdays)
        if both:
            raise ValueError(f"dates listed as both holiday and working day: {both[:5]}")

    @classmethod
    def empty(cls) -> OfficialSchedule:
        """A schedule covering no year: every result will be provisional."""
        return cls(frozenset(), frozenset(), frozenset())

    @classmethod
    def from_package(cls) -> OfficialSchedule:
        """The tables shipped with the ``chinesecalendar`` package (read once, then cached)."""
        return _package_schedule()

    def covers(self, year: int) -> bool:
        """Whether ``year`` has official data."""
        return year in self.years

    def merged(self, other: OfficialSchedule) -> OfficialSchedule:
        """This schedule with ``other``'s years added; for a year in both, ``other`` wins.

        Used when the centre enters next year's State Council notice before the package
        is updated, or corrects a year: a notice replaces the whole year, so no holiday of
        the superseded data survives for that year.
        """
        keep = [d for d in self.holidays if d.year not in other.years]
        keep_work = [d for d in self.workdays if d.year not in other.years]
        return OfficialSchedule(
            holidays=frozenset(keep) | other.holidays,
            workdays=frozenset(keep_work) | other.workdays,
            years=self.years | other.years,
        )


@functools.cache
def _package_schedule() -> OfficialSchedule:
    # Read the package's data dicts directly: its functions raise NotImplementedError
    # outside the covered range and are slow per call, while a set lookup never raises.
    from chinese_calendar import constants

    holidays = frozenset(_as_date(d) for d in constants.holidays)
    workdays = frozenset(_as_date(d) for d in constants.workdays)
    # Same coverage rule as the package itself: every year from the first to the last
    # year that has holiday data.
    first = min(d.year for d in holidays)
    last = max(d.year for d in holidays)
    return OfficialSchedule(holidays, workdays, frozenset(range(first, last + 1)))


def _as_date(value: object) -> date:
    # The package's keys are plain dates; a datetime key would never match a date lookup
    # (datetime.__eq__ refuses to compare with date), so normalise defensively.
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"unexpected key in chinese_calendar tables: {value!r}")


class WorkCalendar:
    """Working days: official PRC holidays and 调休 plus the centre's own overrides."""

    def __init__(
        self,
        closures: Iterable[date] = (),
        workdays: Iterable[date] = (),
        official: OfficialSchedule | None = None,
        *,
        opening_days: Iterable[date] = (),
        shut_days: Iterable[date] = (),
    ) -> None:
        """Build a calendar.

        ``closures`` are rest days of the place (a local holiday, 全国年节及纪念日放假办法
        §4) and ``workdays`` days that count although the official schedule rests: both
        override the official schedule and change what a time limit counts.
        ``opening_days`` and ``shut_days`` only say whether the window works (see the module
        docstring): an opening day never counts, a shut day always does, and a limit that
        ends on a shut day ends on the next open working day.
        ``official`` defaults to :meth:`OfficialSchedule.from_package`.
        """
        self.official = official if official is not None else OfficialSchedule.from_package()
        self.closures = frozenset(closures)
        self.extra_workdays = frozenset(workdays)
        self.opening_days = frozenset(opening_days)
        self.shut_days = frozenset(shut_days)
        clash = sorted(self.closures & self.extra_workdays)
        if clash:
            raise ValueError(f"days listed both as closure and as working day: {clash[:5]}")
        clash = sorted(self.opening_days & self.shut_days)
        if clash:
            raise ValueError(f"days listed both as opening day and as shut day: {clash[:5]}")
        self._shut: frozenset[int] = frozenset(d.toordinal() for d in self.shut_days)
        # Fold the layers into two disjoint sets of ordinals once, so the day loops below
        # are integer set lookups (a few hundred ns per day) rather than date arithmetic.
        forced_work = self.extra_workdays | (self.official.workdays - self.closures)
        # Years after the official data: the law's own holidays (放假办法 §2), still
        # provisional since the notice may add 调休 and make-up days (§6).
        last = max(self.official.years, default=_STATUTE_FROM - 1)
        guessed = frozenset().union(*(
            statutory_holidays(y) for y in range(max(last + 1, _STATUTE_FROM),
                                                 max(_LUNAR_FESTIVALS) + 1)
            if y not in self.official.years))
        forced_rest = self.closures | ((self.official.holidays | guessed)
                                       - self.extra_workdays)
        self._work: frozenset[int] = frozenset(d.toordinal() for d in forced_work)
        self._rest: frozenset[int] = frozenset(d.toordinal() for d in forced_rest)
        self._years = self.official.years
        # Prefix sums of working days from _BASE: counting becomes two lookups and
        # adding a bisection, whatever the span (the monitor counts for every open case).
        self._prefix: list[int] = [0]

    def _cum(self, o: int) -> int | None:
        """Working days with ordinal in (_BASE, o], or None outside the indexed range."""
        i = o - _BASE
        if i < 0 or i > _SPAN:
            return None
        prefix = self._prefix
        while len(prefix) <= i:
            nxt = _BASE + len(prefix)
            prefix.append(prefix[-1] + (1 if self._is_workday_ord(nxt) else 0))
        return prefix[i]

    def _is_workday_ord(self, o: int) -> bool:
        # date(1, 1, 1) has ordinal 1 and is a Monday, so (o + 6) % 7 is date.weekday().
        return o in self._work or (o not in self._rest and (o + 6) % 7 < 5)

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` counts toward a time limit (see the module docstring for the layers).

        A shut day counts; an opening day does not: see :meth:`is_open`.
        """
        return self._is_workday_ord(d.toordinal())

    def is_open(self, d: date) -> bool:
        """Whether the centre's window works on ``d``: a working day it is not shut, or an
        opening day (延时服务日)."""
        return (self._is_workday_ord(d.toordinal()) and d not in self.shut_days) \
            or d in self.opening_days

    def can_end_on(self, d: date) -> bool:
        """Whether a time limit may end on ``d``: a working day the centre is not shut.

        A rest day (民法典 §203: 法定休假日) or a shut day moves the end to the next such
        day; an opening day is still a rest day, so a limit does not end on it either.
        """
        o = d.toordinal()
        return self._is_workday_ord(o) and o not in self._shut

    def is_provisional(self, d: date) -> bool:
        """Whether ``d``'s year has no official data, so :meth:`is_workday` is a guess."""
        return d.year not in self._years

    def _provisional_span(self, first: date, last: date) -> bool:
        # Whether any day in [first, last] falls in an uncovered year; checked per year,
        # not per day, since coverage is by whole years.
        return any(y not in self._years for y in range(first.year, last.year + 1))

    def add_workdays(self, d: date, n: int) -> DayResult:
        """The ``n``-th working day strictly after ``d`` (``d`` itself is not counted).

        ``n == 0`` gives ``d`` itself, not provisional since no day was examined (即办:
        due on the day of acceptance, working day or not). ``n < 0`` raises ValueError.
        Raises OverflowError if the result would be after ``date.max``.
        """
        if n < 0:
            raise ValueError(f"number of working days must not be negative, got {n}")
        if n == 0:
            return DayResult(d, provisional=False)
        found = self._add_counted(d, n)
        due = found.value
        assert isinstance(due, date)
        if due.toordinal() not in self._shut:
            return found
        # The n-th day counts but the centre is shut: the limit ends on the next day it
        # is open (民法典 §203, see the module docstring).
        while not self.can_end_on(due):
            due += timedelta(days=1)
        return DayResult(due, self._provisional_span(d + timedelta(days=1), due))

    def _add_counted(self, d: date, n: int) -> DayResult:
        start = o = d.toordinal()
        base_count = self._cum(start)
        if base_count is not None and self._cum(min(start + 2 * n + 30, _BASE + _SPAN)) \
                is not None and self._prefix[-1] >= base_count + n:
            i = bisect.bisect_left(self._prefix, base_count + n, lo=start - _BASE)
            due = date.fromordinal(_BASE + i)
            return DayResult(due, self._provisional_span(date.fromordinal(start + 1), due))
        work, rest = self._work, self._rest
        left = n
        # Inlined _is_workday_ord: this loop is the hot path of every deadline shown.
        while left:
            o += 1
            if o in work or (o not in rest and (o + 6) % 7 < 5):
                left -= 1
        try:
            due = date.fromordinal(o)
        except ValueError as exc:
            raise OverflowError(f"{n} working days after {d} is beyond {date.max}") from exc
        return DayResult(due, self._provisional_span(date.fromordinal(start + 1), due))

    def workdays_between(self, a: date, b: date) -> DayResult:
        """Working days after ``a`` up to and including ``b``; 0 if ``b <= a``.

        The inverse of :meth:`add_workdays`: ``workdays_between(d, add_workdays(d, n))``
        is ``n`` (unless the end was moved past a shut day, which counts). Used to report
        how much of a time limit has been used.
        """
        if b <= a:
            return DayResult(0, provisional=False)
        lo, hi = self._cum(a.toordinal()), self._cum(b.toordinal())
        if lo is not None and hi is not None:
            return DayResult(hi - lo, self._provisional_span(a + timedelta(days=1), b))
        work, rest = self._work, self._rest
        count = 0
        for o in range(a.toordinal() + 1, b.toordinal() + 1):
            if o in work or (o not in rest and (o + 6) % 7 < 5):
                count += 1
        return DayResult(count, self._provisional_span(a + timedelta(days=1), b))

    def add_days(self, d: date, n: int) -> date:
        """``d`` plus ``n`` calendar days (``n`` may be negative); no working-day logic."""
        return d + timedelta(days=n)
