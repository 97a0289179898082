"""Parsing the small string forms the CLI accepts (``X=x`` assignments) into objects, with one-line errors."""

from __future__ import annotations

from collections.abc import Sequence

from causalbridge.errors import InputError


def parse_assignments(items: Sequence[str] | None, option: str) -> dict[str, str]:
    """``["smoke=yes", "asia=no"]`` -> ``{"smoke": "yes", "asia": "no"}``; each name at most once."""
    out: dict[str, str] = {}
    for raw in items or ():
        name, sep, value = raw.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise InputError(f"expected VARIABLE=STATE, got {raw!r}", where=option)
        if name in out:
            raise InputError(f"variable {name!r} is given twice", where=option)
        out[name] = value
    return out
