"""The result of one effect analysis: what was identified, estimated and checked — as an object, JSON or text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from causalbridge.effect.base import Estimate
from causalbridge.effect.identify import Identification
from causalbridge.effect.refute import Refutation
from causalbridge.effect.roles.table import RoleTable
from causalbridge.errors import UnknownVariableError


@dataclass(frozen=True)
class EffectResult:
    """Everything :func:`causalbridge.effect.estimate_effect` found.

    ``estimates`` pairs each estimator's name with its :class:`Estimate`, in the order they ran; the first is the
    *primary* one that the refutations re-ran. ``adjustment_source`` says where the adjustment set came from
    (``optimal``, ``valid``, ``user``) or which other estimand was used (``frontdoor``, ``iv``, ``none``).
    ``roles`` is the variable-role table of the LLM step (None when roles were not suggested); ``graph_source``
    says whether the graph used came from the user (``"user"``) or was proposed from the roles (``"roles"``).
    """

    treatment: str
    outcome: str
    identification: Identification
    adjustment_set: tuple[str, ...] | None
    adjustment_source: str
    estimates: tuple[tuple[str, Estimate], ...] = ()
    refutations: tuple[Refutation, ...] = ()
    sensitivity: Refutation | None = None
    roles: RoleTable | None = None
    warnings: tuple[str, ...] = ()
    n: int = 0
    seed: int = 0
    graph_source: str = "user"

    def estimate(self, name: str) -> Estimate:
        for key, value in self.estimates:
            if key == name:
                return value
        raise UnknownVariableError(name, [k for k, _ in self.estimates], where="estimates")

    @property
    def primary(self) -> tuple[str, Estimate] | None:
        return self.estimates[0] if self.estimates else None

    @property
    def refutations_passed(self) -> bool:
        return all(r.passed for r in self.refutations)

    def to_dict(self) -> dict[str, Any]:
        return {
            "treatment": self.treatment,
            "outcome": self.outcome,
            "n": self.n,
            "seed": self.seed,
            "identification": self.identification.to_dict(),
            "adjustment_set": None if self.adjustment_set is None else list(self.adjustment_set),
            "adjustment_source": self.adjustment_source,
            "estimates": {name: est.to_dict() for name, est in self.estimates},
            "refutations": [r.to_dict() for r in self.refutations],
            "sensitivity": None if self.sensitivity is None else self.sensitivity.to_dict(),
            "roles": [] if self.roles is None else [row.to_dict() for row in self.roles],
            "role_analysis": None if self.roles is None else _role_analysis(self.roles),
            "graph_source": self.graph_source,
            "warnings": list(self.warnings),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def summary(self) -> str:
        """A short plain-text report (the CLI prints a richer table version of the same content)."""
        ident = self.identification
        lines = [f"Effect of {self.treatment} on {self.outcome} (n = {self.n})"]
        if self.roles is not None:
            lines.append(self.roles.summary())
            if self.graph_source == "roles":
                lines.append("Graph: proposed from the roles above")
        lines.append(f"Identification: {ident.kind.value} - {ident.estimand}")
        if not ident.identified:
            lines.append(f"  {ident.reason}")
        if self.adjustment_set is not None:
            lines.append(f"Adjustment set ({self.adjustment_source}): {{{', '.join(self.adjustment_set)}}}")
        if ident.bad_controls:
            shown = ", ".join(f"{b.variable} ({b.kind})" for b in ident.bad_controls)
            lines.append(f"Do not adjust for: {shown}")
        if self.estimates:
            lines.append("Estimates (95% interval):")
            width = max(len(name) for name, _ in self.estimates)
            for name, est in self.estimates:
                lines.append(f"  {name:<{width}}  {est}  se {est.std_error:.3g}  [{est.method}]")
        if self.refutations:
            primary = self.primary[0] if self.primary else "?"
            lines.append(f"Refutations (of {primary}):")
            lines += [f"  {r.verdict.upper():<4}  {r.name}: {r.explanation}" for r in self.refutations]
        if self.sensitivity is not None:
            lines.append(f"Sensitivity: {self.sensitivity.verdict.upper()} - {self.sensitivity.explanation}")
        lines += [f"Warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _role_analysis(table: RoleTable) -> dict[str, Any]:
    """The role table without its rows (those are under ``roles``): model, proposed edges, usage, notes."""
    data = table.to_dict()
    del data["roles"]
    return data
