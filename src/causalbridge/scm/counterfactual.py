"""Exact counterfactuals for :class:`~causalbridge.scm.discrete.DiscreteSCM` through multi-world networks.

Abduction-action-prediction is done in one exact inference: copy the model once per *world* (the factual world
plus one per intervention), let all copies share each variable's exogenous ``U_V``, and condition the factual
copy on the evidence. A variable whose mechanism sees the same parent *nodes* in two worlds is the same node
(it is the same function of the same inputs), so non-descendants of an intervention are never duplicated and
only the twinned variables keep an explicit ``U_V`` node; the rest use their CPT.

Nested counterfactuals such as ``Y_{x1, M_{x0}}`` (natural direct effects) need an intervention whose value is
*another world's* variable: a world entry ``(j, "M")`` makes M in this world the very node M is in world j.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from causalbridge.errors import InputError
from causalbridge.scm.distribution import Distribution
from causalbridge.scm.factors import MAX_FACTOR_ENTRIES, ModelTooLargeError, Node

if TYPE_CHECKING:
    from causalbridge.scm.discrete import DiscreteSCM

# A world: var -> a fixed state index, or (earlier world, same var) to copy that world's value.
World = Mapping[str, int | tuple[int, str]]


def multiworld(scm: DiscreteSCM, worlds: Sequence[World]) -> tuple[dict[Hashable, Node], list[dict[str, Hashable]]]:
    """The network of the factual world (index 0) plus ``worlds`` (indices 1, 2, ...) sharing exogenous nodes.

    Returns the network and, per world, the node that stands for each variable in it.
    """
    order = scm.graph.topological_order()
    rep: list[dict[str, Hashable]] = []
    copies: dict[str, dict[tuple[Hashable, ...], Hashable]] = {v: {} for v in order}
    constants: dict[Hashable, tuple[str, int]] = {}
    for k, world in enumerate([{}, *worlds]):
        here: dict[str, Hashable] = {}
        for v in order:
            spec = world.get(v)
            if isinstance(spec, tuple):
                j, source = spec
                if not 0 <= j < k or source != v:
                    raise ValueError(f"world {k}: {v} may only copy {v} from an earlier world, got {spec}")
                here[v] = rep[j][v]
            elif spec is not None:
                node: Hashable = ("do", v, int(spec))
                constants[node] = (v, int(spec))
                here[v] = node
            else:
                inputs = tuple(here[p] for p in scm.parents(v))
                here[v] = copies[v].setdefault(inputs, v if k == 0 else (v, k))
        rep.append(here)
    network: dict[Hashable, Node] = {}
    for node, (v, state) in constants.items():
        point = np.zeros(len(scm.states[v]))
        point[state] = 1.0
        network[node] = Node((), point)
    for v in order:
        if len(copies[v]) == 1:  # a single copy: its exogenous variable sums out into the CPT
            ((inputs, node),) = copies[v].items()
            network[node] = Node(inputs, scm.cpt(v))
            continue
        card = len(scm.states[v])
        entries = card * math.prod(scm.cpt(v).shape[1:]) * _cells_bound(scm, v)
        if entries > MAX_FACTOR_ENTRIES:
            raise ModelTooLargeError(
                f"{v!r} differs between worlds and its mechanism table would have about {entries:,} entries "
                f"(limit {MAX_FACTOR_ENTRIES:,}): too large for an exact counterfactual",
                f"variable {v!r}",
            )
        m = scm.mechanism(v)  # only twinned variables need their exogenous cells
        u_node: Hashable = ("U", v)
        network[u_node] = Node((), m.noise)
        indicator = m.indicator(card)
        for inputs, node in copies[v].items():
            network[node] = Node((u_node, *inputs), indicator)
    return network, rep


def _cells_bound(scm: DiscreteSCM, v: str) -> int:
    """The number of exogenous cells of v's mechanism, or the comonotone upper bound before building it."""
    if scm.has_explicit_mechanism(v):
        return scm.mechanism(v).n_cells
    table = scm.cpt(v)
    return (table.shape[0] - 1) * math.prod(table.shape[1:]) + 1


def _query_world(
    scm: DiscreteSCM,
    worlds: Sequence[World],
    world: int,
    targets: Sequence[str],
    evidence: Mapping[str, object] | None,
) -> np.ndarray:
    """P(targets in ``world`` | evidence in the factual world) as an array over the targets' states."""
    observed = scm.encode(evidence)
    network, rep = multiworld(scm, worlds)
    nodes = [rep[world][t] for t in targets]
    return scm.solve(network, nodes, {rep[0][v]: s for v, s in observed.items()}, evidence)


def counterfactual(
    scm: DiscreteSCM,
    targets: str | Sequence[str],
    intervention: Mapping[str, object],
    evidence: Mapping[str, object] | None = None,
) -> Distribution:
    """P(targets under do(intervention) | factual evidence), exactly."""
    names = scm.targets(targets)
    fixed = scm.encode(intervention, "intervention")
    table = _query_world(scm, [fixed], 1, names, evidence)
    return Distribution(tuple(names), {t: scm.states[t] for t in names}, table)


def _outcome_prob(
    scm: DiscreteSCM,
    worlds: Sequence[World],
    world: int,
    outcome: str,
    state: int,
    evidence: Mapping[str, object] | None,
) -> float:
    return float(_query_world(scm, worlds, world, [outcome], evidence)[state])


def ett(
    scm: DiscreteSCM, treatment: str, outcome: str, treated: object, control: object, outcome_state: object
) -> float:
    """P(Y_t1 = y | T = t1) - P(Y_t0 = y | T = t1): the effect among those who were in fact treated."""
    t1, t0 = scm.state_index(treatment, treated), scm.state_index(treatment, control)
    y = scm.state_index(outcome, outcome_state)
    given = {treatment: treated}
    return _outcome_prob(scm, [{treatment: t1}], 1, outcome, y, given) - _outcome_prob(
        scm, [{treatment: t0}], 1, outcome, y, given
    )


def _mediators(scm: DiscreteSCM, treatment: str, mediator: str | Sequence[str], outcome: str) -> list[str]:
    names = scm.targets(mediator)
    for m in names:
        if m in (treatment, outcome):
            raise InputError(f"the mediator {m!r} must differ from the treatment and the outcome", f"variable {m!r}")
    return names


def nde(
    scm: DiscreteSCM,
    treatment: str,
    mediator: str | Sequence[str],
    outcome: str,
    treated: object,
    control: object,
    outcome_state: object,
    evidence: Mapping[str, object] | None = None,
) -> float:
    """Pearl's natural direct effect of control -> treated: P(Y_{t1, M_{t0}} = y) - P(Y_{t0} = y).

    World 1 sets T = t0 (giving M_{t0}); world 2 sets T = t1 and every mediator to its world-1 node.
    """
    return _natural(scm, treatment, mediator, outcome, treated, control, outcome_state, evidence, direct=True)


def nie(
    scm: DiscreteSCM,
    treatment: str,
    mediator: str | Sequence[str],
    outcome: str,
    treated: object,
    control: object,
    outcome_state: object,
    evidence: Mapping[str, object] | None = None,
) -> float:
    """Pearl's natural indirect effect: P(Y_{t0, M_{t1}} = y) - P(Y_{t0} = y).

    With Pearl's definitions the total effect is ``nde(t0 -> t1) - nie(t1 -> t0)``: swap ``treated`` and
    ``control`` for the reverse transition.
    """
    return _natural(scm, treatment, mediator, outcome, treated, control, outcome_state, evidence, direct=False)


def _natural(
    scm: DiscreteSCM,
    treatment: str,
    mediator: str | Sequence[str],
    outcome: str,
    treated: object,
    control: object,
    outcome_state: object,
    evidence: Mapping[str, object] | None,
    direct: bool,
) -> float:
    mediators = _mediators(scm, treatment, mediator, outcome)
    t1, t0 = scm.state_index(treatment, treated), scm.state_index(treatment, control)
    y = scm.state_index(outcome, outcome_state)
    # Direct: mediators at their control values, treatment switched on; indirect: the reverse.
    source, target = (t0, t1) if direct else (t1, t0)
    nested: World = {treatment: target, **{m: (1, m) for m in mediators}}
    crossed = _outcome_prob(scm, [{treatment: source}, nested], 2, outcome, y, evidence)
    baseline = _outcome_prob(scm, [{treatment: t0}], 1, outcome, y, evidence)
    return crossed - baseline
