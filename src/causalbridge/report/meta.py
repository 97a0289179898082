"""The provenance block of a report: the exact command, the versions of the packages that matter, the time.

Versions come from the installed distributions' metadata, so collecting them imports nothing heavy; torch and
transformers are listed only when the run had imported them (a report of a data-only analysis should not claim
a deep-learning stack it never used).
"""

from __future__ import annotations

import platform
import shlex
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from causalbridge.report.model import ReportMeta

ALWAYS = ("causalbridge", "numpy", "pandas", "scipy", "pgmpy", "causal-learn", "networkx")
IF_LOADED = {"torch": "torch", "transformers": "transformers", "sklearn": "scikit-learn", "statsmodels": "statsmodels"}


def package_versions() -> tuple[tuple[str, str], ...]:
    """(name, version) for python, the core packages, and the optional ones this process has imported."""
    names = [*ALWAYS, *(dist for module, dist in IF_LOADED.items() if module in sys.modules)]
    found = [("python", platform.python_version())]
    for name in names:
        try:
            found.append((name, version(name)))
        except PackageNotFoundError:
            found.append((name, "not installed"))
    found.append(("platform", platform.platform(terse=True)))
    return tuple(found)


def command_line(argv: Sequence[str] | None = None) -> str:
    """The command as a user would retype it: the program's base name, then the arguments, shell-quoted."""
    args = list(sys.argv if argv is None else argv)
    if not args:
        return ""
    program = Path(args[0]).name
    if program in ("__main__.py", "-m", "-c"):
        program = "python -m causalbridge"
    return shlex.join([program, *args[1:]])


def collect_meta(
    command: str | None = None,
    sources: Sequence[str] = (),
    produced_by: Sequence[str] = (),
    created: str | None = None,
) -> ReportMeta:
    """Provenance for a report made now; pass ``created=""`` for byte-stable output (tests, golden files)."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds") if created is None else created
    return ReportMeta(
        command=command_line() if command is None else command,
        versions=package_versions(),
        created=stamp,
        sources=tuple(sources),
        produced_by=tuple(produced_by),
    )
