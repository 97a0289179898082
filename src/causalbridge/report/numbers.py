"""How numbers are written in reports: a few significant digits, percentages, p-values, and safe reading.

Result files come from other programs and other versions, so the builders read numbers through
:func:`number`, which turns anything that is not a finite number into None instead of failing deep in a chart.
"""

from __future__ import annotations

import math
from typing import Any


def number(value: Any) -> float | None:
    """``value`` as a float, or None when it is missing, not a number or not finite."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def fmt(value: float, digits: int = 3) -> str:
    """A number in ``digits`` significant digits without scientific notation for ordinary magnitudes."""
    if not math.isfinite(value):
        return "n/a"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e6 or magnitude < 1e-4:
        return f"{value:.{digits - 1}e}"
    decimals = max(0, digits - 1 - math.floor(math.log10(magnitude)))
    return f"{value:.{decimals}f}"


def pct(value: float, decimals: int = 1) -> str:
    return "n/a" if not math.isfinite(value) else f"{value * 100:.{decimals}f}%"


def maybe(value: Any, digits: int = 3) -> str:
    """A number from a result file, or an en dash when it is missing."""
    x = number(value)
    return "–" if x is None else fmt(x, digits)


def plain(value: Any, digits: int = 4) -> str:
    """Like :func:`maybe`, but whole numbers (counts, SHD, replicates) print without decimals."""
    x = number(value)
    if x is not None and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return maybe(value, digits)


def maybe_pct(value: Any, decimals: int = 1) -> str:
    x = number(value)
    return "–" if x is None else pct(x, decimals)


def p_value(value: Any) -> str:
    """A p- or q-value: two significant digits, scientific below 0.001 (never a bare 0)."""
    x = number(value)
    if x is None:
        return "–"
    return f"{x:.2g}" if x >= 0.001 else f"{x:.1e}"


def seconds(value: Any) -> str:
    x = number(value)
    if x is None:
        return "–"
    if x < 1:
        return f"{x * 1000:.0f} ms"
    return f"{x:.1f} s" if x < 120 else f"{x / 60:.1f} min"
