"""The one date-time decision of the toolkit: RFC 3339 section 5.6 `date-time`, checked exactly.

Decisions (docs/contract-decisions.md, pinned by tests/core/test_datetimes.py):
- `T`/`Z` may be lower case (RFC 3339 section 5.6, NOTE);
- the offset is `Z` or `+hh:mm`/`-hh:mm` with a colon, and is required;
- the year 0000 is accepted (the grammar is four digits);
- a leap second `:60` is accepted only where the time, moved to UTC, is 23:59:60;
- nothing may follow the offset, not even a newline.
jsonschema-rs decides every case the same way; tests/engine/test_engines.py proves it.
"""

import re

_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))",
    re.ASCII,
)
_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS[month - 1]


def is_rfc3339_datetime(value: str) -> bool:
    """Whether `value` is an RFC 3339 date-time under the toolkit's decisions."""
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(g) for g in match.group(1, 2, 3, 4, 5, 6))
    if not 1 <= month <= 12 or not 1 <= day <= _days_in_month(year, month):
        return False
    if hour > 23 or minute > 59 or second > 60:
        return False
    offset_minutes = 0
    if match.group(7) is None:
        off_hour, off_minute = int(match.group(9)), int(match.group(10))
        if off_hour > 23 or off_minute > 59:
            return False
        offset_minutes = off_hour * 60 + off_minute
        if match.group(8) == "-":
            offset_minutes = -offset_minutes
    if second == 60:
        utc_minutes = (hour * 60 + minute - offset_minutes) % (24 * 60)
        return utc_minutes == 23 * 60 + 59
    return True


_NO_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?", re.ASCII)
NO_OFFSET_HINT = " (no UTC offset: add Z or +hh:mm)"


def offset_hint(value: object) -> str:
    """What to add to the description of a date-time the format rejected: the hint that its
    offset is missing when it is a date and time with nothing after them, else nothing. Only
    words: the verdict is `is_rfc3339_datetime`'s."""
    if type(value) is str and _NO_OFFSET.fullmatch(value):
        return NO_OFFSET_HINT
    return ""
