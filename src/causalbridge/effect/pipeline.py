"""``estimate_effect``: identify on the graph, estimate with each estimator, refute, and assess sensitivity.

The pipeline follows identification rather than the user's wishes when they conflict: with a backdoor
estimand the requested estimators run on the adjustment set; with a frontdoor or instrument estimand the
matching estimator runs instead (and a warning says so); when nothing identifies the effect no number is
produced and the result carries the reason. A user-chosen adjustment set is honoured but checked, and every
problem with it (a mediator, a collider, an open backdoor path) becomes a warning naming the path.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

from causalbridge.effect.base import EffectEstimator
from causalbridge.effect.design import Data, EffectWarning, is_binary, split_data
from causalbridge.effect.estimators import make_estimator
from causalbridge.effect.frontdoor import FrontdoorEstimator
from causalbridge.effect.identify import EstimandKind, Identification, check_adjustment, identify
from causalbridge.effect.iv import WaldIV
from causalbridge.effect.refute import Refutation, refute_all
from causalbridge.effect.regression import RegressionAdjustment
from causalbridge.effect.result import EffectResult
from causalbridge.effect.roles.table import RoleTable
from causalbridge.effect.sensitivity import sensitivity_analysis
from causalbridge.errors import CausalBridgeError, DependencyMissingError, InputError, UnknownVariableError
from causalbridge.graph import CausalGraph

DEFAULT_ESTIMATORS = ("ols", "ipw", "aipw")


def estimate_effect(
    dataset: Data,
    graph: CausalGraph | None,
    treatment: str,
    outcome: str,
    estimators: Sequence[str | EffectEstimator] = DEFAULT_ESTIMATORS,
    *,
    adjust: Iterable[str] | None = None,
    refute: bool = True,
    sensitivity: bool = True,
    roles: RoleTable | None = None,
    seed: int = 0,
    quiet: bool = True,
) -> EffectResult:
    """The whole analysis for one treatment and outcome; see the module docstring for the decisions it makes.

    ``estimators`` are registry names (``"ols"``, ``"ipw"``, ``"aipw"``, ``"dml"``) or estimator objects;
    ``adjust`` overrides the adjustment set (checked, warned about); ``quiet=False`` shows progress bars.
    ``roles`` is the table of :func:`causalbridge.effect.roles.suggest_roles`: it is reported in the result, and
    when ``graph`` is None its proposed graph is the one identified on.
    """
    frame, _ = split_data(dataset)
    columns = [str(c) for c in frame.columns]
    for name, role in ((treatment, "treatment"), (outcome, "outcome")):
        if name not in columns:
            raise UnknownVariableError(name, columns, where=f"data ({role})")
    notes: list[str] = []
    graph_source = "user"
    if roles is not None and (roles.treatment, roles.outcome) != (treatment, outcome):
        raise InputError(
            f"the role table is for {roles.treatment} -> {roles.outcome}, not {treatment} -> {outcome}", where="roles"
        )
    if graph is None:
        if roles is None:
            raise InputError("give a graph, or a role table to propose one from", where="estimate_effect")
        graph, graph_source = roles.graph, "roles"
        for note in roles.notes:
            _note(notes, note)
    ident = identify(graph, treatment, outcome, observed=[c for c in columns if c in graph])
    if ident.latent:
        _note(notes, f"graph variables without a data column are treated as latent: {', '.join(ident.latent)}")
    chosen = [make_estimator(e, seed) if isinstance(e, str) else e for e in estimators]
    z, source, runs = _plan(ident, graph, columns, adjust, chosen, seed, notes)
    t_binary = is_binary(frame[treatment].dropna().to_numpy()) if frame[treatment].dtype.kind in "biuf" else None
    fitted: list[tuple[str, EffectEstimator]] = []
    errors: list[CausalBridgeError] = []
    for name, est in runs:
        if est.binary_treatment and t_binary is False:
            _note(notes, f"{name} skipped: it needs a binary treatment and {treatment!r} is not binary")
            continue
        try:
            fitted.append((name, est.fit(dataset, treatment, outcome, z or ())))
        except DependencyMissingError as exc:
            _note(notes, f"{name} skipped: {exc}")
        except CausalBridgeError as exc:
            if isinstance(exc, UnknownVariableError):
                raise
            errors.append(exc)
            _note(notes, f"{name} failed: {exc}")
    if runs and not fitted and errors:
        raise errors[0]
    refutations: tuple[Refutation, ...] = ()
    if refute and fitted:
        primary = fitted[0][1]
        refutations = refute_all(
            primary, dataset, treatment, outcome, z or (), original=primary.effect_, seed=seed, quiet=quiet
        )
    sens = None
    if sensitivity and fitted and source in ("optimal", "valid", "user"):
        try:
            sens = sensitivity_analysis(dataset, treatment, outcome, z or (), estimate=fitted[0][1].effect_)
        except CausalBridgeError as exc:
            _note(notes, f"sensitivity analysis skipped: {exc}")
    n = fitted[0][1].n_ if fitted else int(frame[[treatment, outcome]].notna().all(axis=1).sum())
    return EffectResult(
        treatment,
        outcome,
        ident,
        z,
        source,
        tuple((name, est.effect_) for name, est in fitted),
        refutations,
        sens,
        roles,
        tuple(notes),
        n,
        seed,
        graph_source,
    )


def _note(notes: list[str], message: str) -> None:
    notes.append(message)
    warnings.warn(message, EffectWarning, stacklevel=3)


def _names(estimators: list[EffectEstimator]) -> list[str]:
    out: list[str] = []
    lookup = {"RegressionAdjustment": "ols", "IPW": "ipw", "AIPW": "aipw", "DML": "dml"}
    for est in estimators:
        base = lookup.get(type(est).__name__, type(est).__name__.lower())
        if isinstance(est, RegressionAdjustment) and est.interactions:
            base = "lin"
        name, k = base, 2
        while name in out:
            name, k = f"{base}_{k}", k + 1
        out.append(name)
    return out


def _plan(
    ident: Identification,
    graph: CausalGraph,
    columns: list[str],
    adjust: Iterable[str] | None,
    chosen: list[EffectEstimator],
    seed: int,
    notes: list[str],
) -> tuple[tuple[str, ...] | None, str, list[tuple[str, EffectEstimator]]]:
    """The adjustment set, where it came from, and the (name, estimator) pairs to run."""
    t, y = ident.treatment, ident.outcome
    named = list(zip(_names(chosen), chosen, strict=True))
    if adjust is not None:
        z = tuple(dict.fromkeys(adjust))
        for v in z:
            if v not in columns:
                raise UnknownVariableError(v, columns, where="adjustment set")
        check = check_adjustment(graph, t, y, z, observed=[c for c in columns if c in graph])
        if not check.valid:
            _note(notes, check.explain())
        return z, "user", named
    kind = ident.kind
    if kind in (EstimandKind.BACKDOOR, EstimandKind.ZERO) and ident.adjustment_set is not None:
        if kind is EstimandKind.ZERO:
            _note(notes, ident.reason)
        return ident.adjustment_set, "optimal" if ident.optimal_set is not None else "valid", named
    if kind is EstimandKind.FRONTDOOR and ident.frontdoor_set is not None:
        _note(
            notes,
            f"identified by the frontdoor criterion through {', '.join(ident.frontdoor_set)}: the "
            "frontdoor estimator is used instead of the requested backdoor estimators",
        )
        return (
            None,
            "frontdoor",
            [("frontdoor", FrontdoorEstimator(mediators=ident.frontdoor_set, seed=seed))],
        )
    if kind is EstimandKind.IV and ident.instruments:
        inst = ident.instruments[0]
        _note(
            notes,
            f"identified by the instrument {inst.variable}: the Wald/IV estimator is used instead of the "
            "requested backdoor estimators",
        )
        return inst.given, "iv", [("iv", WaldIV(instrument=inst.variable))]
    _note(notes, ident.reason)
    return None, "none", []
