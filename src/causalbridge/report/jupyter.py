"""Inline display in Jupyter: results render as the same figures and tables as the HTML report.

Result classes opt in with :class:`ReportReprMixin` (needs a ``to_dict()``) or by defining
``_repr_html_`` as ``return result_html(self)``; anything :func:`causalbridge.report.detect_kind` recognises works.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from causalbridge.errors import InputError
from causalbridge.report.detect import chapter_from_result
from causalbridge.report.html import render_fragment
from causalbridge.report.model import Report


def result_report(result: Any, title: str | None = None) -> Report:
    """A one-chapter report for a result object (anything with ``to_dict()``) or a result dictionary."""
    data = result if isinstance(result, Mapping) else getattr(result, "to_dict", None)
    if callable(data):
        data = data()
    if not isinstance(data, Mapping):
        raise InputError(f"cannot report a {type(result).__name__}: it has no to_dict()", where="result")
    chapter = chapter_from_result(data, type(result).__name__, title)
    return Report(chapter.title, (chapter,))


def result_html(result: Any, title: str | None = None) -> str:
    """HTML for Jupyter's ``_repr_html_``: the result's chapter with scoped styles and no external resource."""
    return render_fragment(result_report(result, title))


class ReportReprMixin:
    """Adds ``_repr_html_`` to a result class that has ``to_dict()``."""

    def _repr_html_(self) -> str:
        return result_html(self)
