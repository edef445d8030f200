"""Limits stated in a parameter's prose, as JSON Schema keywords.

Each form is read wherever it stands in the description, also after a full stop ("Audio max 15s. Max 9.")
and also when an earlier sentence holds a number with a unit that is not a count:

* ranges: ``3-15``, ``3–15``, ``0.0–1.0``, `` `1`–`10` ``, ``3 to 15``, ``between 3 and 15``
  -> ``minimum``/``maximum`` (numbers), ``minItems``/``maxItems`` (arrays), ``minLength``/``maxLength``
  (strings, only when the range is in characters);
* upper bounds: ``max 9``, ``maximum 9``, ``up to 4``, ``at most 4``, ``no more than 4``, ``cap of 7``,
  ``under 50 chars`` (49);
* lower bounds: ``min 1``, ``minimum 1``, ``at least 1``.

Numbers followed by a unit of media (``15s``, ``100MB``, ``8000px``, ``44.1kHz``...) are properties of a file
behind a URL, not limits of the value, and are skipped for arrays and strings; string limits need
"char(acter)s". Everything here is plain text processing; ``params`` decides which keywords a type takes.
"""

from __future__ import annotations

import re

from .text import plain

_N = r"(-?\d+(?:\.\d+)?)"
_END = r"(?!\.\d|\d)"
_MEDIA_UNIT = re.compile(r"\s*(?:s\b|sec|seconds?\b|mb\b|kb\b|gb\b|px\b|%|k?hz\b|fps\b|ms\b|kbps\b)", re.IGNORECASE)
_RANGE = re.compile(r"(?<![\w.:/-])" + _N + r"\s*(?:-|–|—|to)\s*" + _N + r"(?!\.\d|\d|:)")
_BETWEEN = re.compile(r"\bbetween\s+" + _N + r"\s+and\s+" + _N + _END, re.IGNORECASE)
_UPPER = re.compile(r"\b(?:max(?:imum)?(?:\s+of)?|up to|at most|no more than|cap(?:\s+of)?)\s+\**" + _N + _END,
                    re.IGNORECASE)
_LOWER = re.compile(r"\b(?:min(?:imum)?(?:\s+of)?|at least)\s+" + _N + _END, re.IGNORECASE)
_UNDER = re.compile(r"\b(?:under|less than|fewer than)\s+" + _N + _END, re.IGNORECASE)
_CHARS = re.compile(r"\s*(?:chars?|characters?)\b", re.IGNORECASE)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _unit_after(text: str, end: int, unit: re.Pattern) -> bool:
    return bool(unit.match(text, end))


def find_range(text: str, unit: re.Pattern | None = None, skip: re.Pattern | None = None
               ) -> tuple[float, float] | None:
    """First ``a-b`` / ``between a and b`` range in plain text; with ``unit`` only one followed by that unit,
    with ``skip`` none followed by that unit."""
    text = plain(text).replace(",000", "000")
    found = sorted([*_RANGE.finditer(text), *_BETWEEN.finditer(text)], key=lambda m: m.start())
    for m in found:
        if unit is not None and not _unit_after(text, m.end(), unit):
            continue
        if skip is not None and _unit_after(text, m.end(), skip):
            continue
        return _number(m.group(1)), _number(m.group(2))
    return None


def _first(pattern: re.Pattern, text: str, unit: re.Pattern | None, skip: re.Pattern | None) -> float | None:
    for m in pattern.finditer(text):
        if unit is not None and not _unit_after(text, m.end(), unit):
            continue
        if skip is not None and _unit_after(text, m.end(), skip):
            continue
        return _number(m.group(1))
    return None


def bounds(text: str, unit: re.Pattern | None = None, skip: re.Pattern | None = None) -> dict[str, float]:
    """``{"min": .., "max": ..}`` the prose states (a range wins over separate bounds)."""
    text = plain(text).replace(",000", "000")
    rng = find_range(text, unit, skip)
    if rng:
        return {"min": rng[0], "max": rng[1]}
    out: dict[str, float] = {}
    upper = _first(_UPPER, text, unit, skip)
    under = _first(_UNDER, text, unit, skip)
    if upper is not None:
        out["max"] = upper
    elif under is not None:
        out["max"] = under - 1
    lower = _first(_LOWER, text, unit, skip)
    if lower is not None:
        out["min"] = lower
    return out


def _keywords(found: dict[str, float], low: str, high: str) -> dict[str, int]:
    return {key: int(found[side]) for side, key in (("min", low), ("max", high)) if side in found}


def array_limits(desc: str) -> dict[str, int]:
    """``minItems``/``maxItems`` of an array from its description (media units skipped)."""
    return _keywords(bounds(desc, skip=_MEDIA_UNIT), "minItems", "maxItems")


def item_length(desc: str) -> int | None:
    """``maxLength`` of each item of a string array (``each under 50 chars`` -> 49)."""
    m = re.search(r"each\s+(?:under|max(?:imum)?|up to)\s+(\d+)\s*char", plain(desc), re.IGNORECASE)
    if m is None:
        return None
    return int(m.group(1)) - (1 if "under" in m.group(0).lower() else 0)


def string_limits(desc: str) -> dict[str, int]:
    """``minLength``/``maxLength`` of a string, from limits stated in characters."""
    text = re.sub(r"each\s+(?:under|max(?:imum)?|up to)\s+\d+\s*char\w*", "", plain(desc), flags=re.IGNORECASE)
    return _keywords(bounds(text, unit=_CHARS), "minLength", "maxLength")


def number_limits(desc: str) -> dict[str, float]:
    """``minimum``/``maximum`` of a number from prose bounds (not ranges: the caller reads those first)."""
    text = plain(desc)
    out: dict[str, float] = {}
    upper = _first(_UPPER, text, None, _CHARS)
    if upper is not None:
        out["maximum"] = upper
    lower = _first(_LOWER, text, None, _CHARS)
    if lower is not None:
        out["minimum"] = lower
    return out
