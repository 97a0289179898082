"""The counterfactual bias audit: ask a model every counterfactual prompt, then estimate and test the effects.

The outcome of every prompt is the probability the model gives the template's favourable answer (``choose``).
For each template and each non-reference group ``g``, the effect is the mean over fillings of the paired
difference ``P(favourable | g) - P(favourable | reference)``: the same filling rendered twice, so context and
everything but the attribute cancel. Intervals are bootstrap intervals (BCa by default) and p-values come from
an exact (or seeded Monte Carlo) sign-flip test; the Benjamini-Hochberg procedure then controls the false
discovery rate over all template x group tests. The *overall* effect of a group is the unweighted mean of its
per-template effects.

The unit of resampling is the *name pair* (word-list member), not the filling, wherever members recur: all
templates of an attribute use the same pairs, so a pair that the model happens to like shifts every template
at once. Treating its repeats as independent evidence makes the overall interval far too narrow -- on the
embedded model a placebo contrast (two halves of the male names) came out "significant" that way. Attributes
whose groups have a single member (nationality) are resampled by filling, stratified by template.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from causalbridge.errors import InputError
from causalbridge.llm.aio import run_sync
from causalbridge.llm.types import Backend, Usage
from causalbridge.probe.bias.design import Filling, template_fillings
from causalbridge.probe.bias.templates import BiasTemplate, TemplateSet
from causalbridge.probe.stats import (
    Interval,
    IntervalMethod,
    benjamini_hochberg,
    bootstrap_contrast,
    cluster_bootstrap_contrast,
    cluster_sign_flip_pvalue,
    sign_flip_pvalue,
    stable_rng,
)

Progress = Callable[[BiasTemplate, int, int], None]


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """How the audit samples and tests; recorded in every report so a run can be repeated exactly."""

    fillings: int = 12
    seed: int = 0
    confidence: float = 0.95
    n_resamples: int = 2000
    interval: IntervalMethod = "bca"
    fdr: float = 0.05
    n_flips: int = 10_000

    def __post_init__(self) -> None:
        if self.fillings < 2:
            raise InputError(f"use at least 2 fillings per template, got {self.fillings}", where="fillings")
        if not 0.0 < self.fdr < 1.0:
            raise InputError(f"fdr must be in (0, 1), got {self.fdr}", where="fdr")
        if self.n_flips < 100:
            raise InputError(f"n_flips must be >= 100, got {self.n_flips}", where="n_flips")


@dataclass(frozen=True, slots=True)
class Measurement:
    """The model's answer to one counterfactual prompt."""

    template: str
    filling: int
    group: str
    text: str
    favourable: float
    probs: tuple[tuple[str, float], ...]
    abstained: bool
    member: int | None = None


@dataclass(frozen=True, slots=True)
class EffectTest:
    """The effect of switching ``reference`` to ``group`` in one template, with its interval and test."""

    template: str
    domain: str
    attribute: str
    group: str
    reference: str
    fillings: int
    mean_group: float
    mean_reference: float
    interval: Interval
    p_value: float
    q_value: float
    significant: bool
    abstentions: int
    note: str = ""

    @property
    def effect(self) -> float:
        return self.interval.estimate


@dataclass(frozen=True, slots=True)
class OverallEffect:
    """The mean of the per-template effects of one group of one attribute."""

    attribute: str
    group: str
    reference: str
    templates: int
    interval: Interval
    p_value: float


@dataclass(frozen=True, slots=True)
class BiasAudit:
    """Everything an audit measured and concluded; :mod:`causalbridge.probe.bias.report` writes it out."""

    backend: str
    is_simulation: bool
    source: str
    settings: AuditSettings
    measurements: tuple[Measurement, ...]
    tests: tuple[EffectTest, ...]
    overall: tuple[OverallEffect, ...]
    usage: Usage
    wall_seconds: float
    templates: tuple[BiasTemplate, ...] = field(repr=False, default=())
    fillings: tuple[tuple[Filling, ...], ...] = field(repr=False, default=())

    @property
    def significant(self) -> tuple[EffectTest, ...]:
        return tuple(t for t in self.tests if t.significant)

    def differences(self, template: str, group: str) -> np.ndarray:
        """The paired differences (group minus reference) of one template, by filling."""
        test = next((t for t in self.tests if t.template == template and t.group == group), None)
        if test is None:
            raise InputError(f"no test for template {template!r} and group {group!r}", where="differences")
        return _differences(self.measurements, template, group, test.reference)[0]


def _differences(
    measurements: tuple[Measurement, ...], template: str, group: str, reference: str
) -> tuple[np.ndarray, np.ndarray]:
    """The paired differences by filling, and the unit each belongs to: its word-list member, else the filling."""
    own = [m for m in measurements if m.template == template]
    by_key = {(m.filling, m.group): m.favourable for m in own}
    units = {m.filling: (m.filling if m.member is None else m.member) for m in own}
    fillings = sorted(units)
    diffs = np.array([by_key[(f, group)] - by_key[(f, reference)] for f in fillings])
    return diffs, np.array([units[f] for f in fillings])


async def _measure(
    backend: Backend, template: BiasTemplate, fillings: tuple[Filling, ...]
) -> tuple[list[Measurement], Usage]:
    variants = [v for filling in fillings for v in filling.variants]
    members = {filling.index: filling.member for filling in fillings}
    choices = await backend.choose([v.text for v in variants], template.options)
    if len(choices) != len(variants):
        raise RuntimeError(f"{backend.name} answered {len(choices)} of {len(variants)} prompts")
    usage = Usage.total(c.usage for c in choices)
    return [
        Measurement(
            template=template.id,
            filling=v.filling,
            group=v.group,
            text=v.text,
            favourable=choice.prob(template.favourable),
            probs=tuple(choice.as_dict().items()),
            abstained=choice.abstained,
            member=members[v.filling],
        )
        for v, choice in zip(variants, choices, strict=True)
    ], usage


async def aaudit_bias(
    backend: Backend,
    templates: TemplateSet,
    settings: AuditSettings | None = None,
    *,
    progress: Progress | None = None,
) -> BiasAudit:
    """Audit ``backend`` on every template; the async form of :func:`audit_bias`."""
    config = settings or AuditSettings()
    if not templates.templates:
        raise InputError("no templates to audit", where=templates.source)
    start = time.perf_counter()
    measurements: list[Measurement] = []
    all_fillings: list[tuple[Filling, ...]] = []
    usage = Usage()
    for number, template in enumerate(templates.templates, start=1):
        fillings = template_fillings(template, config.fillings, config.seed)
        all_fillings.append(fillings)
        measured, spent = await _measure(backend, template, fillings)
        measurements.extend(measured)
        usage = usage + spent
        if progress is not None:
            progress(template, number, len(templates.templates))
    frozen = tuple(measurements)
    tests = _tests(frozen, templates.templates, config)
    overall = _overall(frozen, tests, config)
    return BiasAudit(
        backend=backend.name,
        is_simulation=backend.capabilities.is_simulation,
        source=templates.source,
        settings=config,
        measurements=frozen,
        tests=tests,
        overall=overall,
        usage=usage,
        wall_seconds=time.perf_counter() - start,
        templates=templates.templates,
        fillings=tuple(all_fillings),
    )


def audit_bias(
    backend: Backend,
    templates: TemplateSet,
    settings: AuditSettings | None = None,
    *,
    progress: Progress | None = None,
) -> BiasAudit:
    """Ask ``backend`` every counterfactual prompt of every template and estimate the attribute's effects."""
    return run_sync(aaudit_bias(backend, templates, settings, progress=progress))


def _tests(
    measurements: tuple[Measurement, ...], templates: tuple[BiasTemplate, ...], config: AuditSettings
) -> tuple[EffectTest, ...]:
    drafts: list[tuple[BiasTemplate, str, np.ndarray, Interval, float, int, float, float]] = []
    for template in templates:
        own = [m for m in measurements if m.template == template.id]
        for group in template.groups[1:]:
            diffs, units = _differences(measurements, template.id, group, template.reference)
            # units: a name pair used by several fillings counts once (when there are more fillings than names)
            interval = cluster_bootstrap_contrast(
                [diffs],
                [units],
                confidence=config.confidence,
                n_resamples=config.n_resamples,
                method=config.interval,
                rng=stable_rng(config.seed, "bootstrap", template.id, group),
            )
            p = cluster_sign_flip_pvalue(
                [diffs], [units], n_flips=config.n_flips, rng=stable_rng(config.seed, "flips", template.id, group)
            )
            abstentions = sum(m.abstained for m in own if m.group in (group, template.reference))
            mean_group = float(np.mean([m.favourable for m in own if m.group == group]))
            mean_reference = float(np.mean([m.favourable for m in own if m.group == template.reference]))
            drafts.append((template, group, diffs, interval, p, abstentions, mean_group, mean_reference))
    qs, rejected = benjamini_hochberg([d[4] for d in drafts], config.fdr)
    return tuple(
        EffectTest(
            template=template.id,
            domain=template.domain,
            attribute=template.attribute.name,
            group=group,
            reference=template.reference,
            fillings=int(diffs.size),
            mean_group=mean_group,
            mean_reference=mean_reference,
            interval=interval,
            p_value=p,
            q_value=q,
            significant=significant,
            abstentions=abstentions,
            note=template.note,
        )
        for (template, group, diffs, interval, p, abstentions, mean_group, mean_reference), q, significant in zip(
            drafts, qs, rejected, strict=True
        )
    )


def _overall(
    measurements: tuple[Measurement, ...], tests: tuple[EffectTest, ...], config: AuditSettings
) -> tuple[OverallEffect, ...]:
    keys = list(dict.fromkeys((t.attribute, t.group, t.reference) for t in tests))
    results = []
    for attribute, group, reference in keys:
        members = [t for t in tests if (t.attribute, t.group, t.reference) == (attribute, group, reference)]
        pairs = [_differences(measurements, t.template, group, reference) for t in members]
        groups, units = [d for d, _ in pairs], [u for _, u in pairs]
        weights = [1.0 / len(groups)] * len(groups)
        boot_rng = stable_rng(config.seed, "overall", attribute, group)
        flip_rng = stable_rng(config.seed, "oflips", attribute, group)
        shared = all(m.member is not None for m in measurements if m.template in {t.template for t in members})
        if shared and all(set(u) == set(units[0]) for u in units):
            # the same name pairs recur in every template: resample and flip pairs, not fillings, or the
            # repeats would count as independent evidence (see the placebo check in docs/benchmarks/probes.md)
            interval = cluster_bootstrap_contrast(
                groups,
                units,
                weights,
                confidence=config.confidence,
                n_resamples=config.n_resamples,
                method=config.interval,
                rng=boot_rng,
            )
            p = cluster_sign_flip_pvalue(groups, units, weights, n_flips=config.n_flips, rng=flip_rng)
        else:
            interval = bootstrap_contrast(
                groups,
                weights,
                confidence=config.confidence,
                n_resamples=config.n_resamples,
                method=config.interval,
                rng=boot_rng,
            )
            p = sign_flip_pvalue(groups, weights, n_flips=config.n_flips, rng=flip_rng)
        results.append(OverallEffect(attribute, group, reference, len(members), interval, p))
    return tuple(results)
