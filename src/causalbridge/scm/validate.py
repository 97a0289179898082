"""Validation of the parts a DiscreteSCM is built from; every error names the variable (and parent setting) at fault."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from causalbridge.errors import GraphError, InputError, UnknownVariableError
from causalbridge.graph import CausalGraph
from causalbridge.scm.mechanism import Mechanism, check_noise

_CPT_TOLERANCE = 1e-6


def check_states(graph: CausalGraph, states: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    for v in states:
        if v not in graph:
            raise UnknownVariableError(v, graph.nodes, where="states")
    out: dict[str, tuple[str, ...]] = {}
    for v in graph.nodes:
        if v not in states:
            raise InputError("no states given", f"variable {v!r}")
        raw = states[v]
        if isinstance(raw, str):
            raise InputError(f"states must be a list of names, got the string {raw!r}", f"variable {v!r}")
        names = tuple(str(s) for s in raw)
        if not names:
            raise InputError("a variable needs at least one state", f"variable {v!r}")
        if len(set(names)) != len(names):
            raise InputError(f"a state is listed twice in {list(names)}", f"variable {v!r}")
        out[v] = names
    return out


def parent_order_of(graph: CausalGraph, var: str, given: Sequence[str] | None) -> tuple[str, ...]:
    parents = graph.parents(var)
    if given is None:
        return tuple(p for p in graph.nodes if p in parents)
    order = tuple(str(p) for p in given)
    if sorted(order) != sorted(parents):
        raise GraphError(
            f"parent_order {list(order)} must list exactly the graph's parents {sorted(parents)}", f"variable {var!r}"
        )
    return order


def check_cpt(
    var: str, parents: tuple[str, ...], states: Mapping[str, tuple[str, ...]], raw: np.ndarray | Sequence[Any]
) -> np.ndarray:
    where = f"variable {var!r}"
    try:
        table = np.array(raw, dtype=float)
    except (TypeError, ValueError):
        raise InputError("the CPT is not an array of numbers", where) from None
    expected = (len(states[var]), *[len(states[p]) for p in parents])
    if table.shape != expected:
        axes = ", ".join([var, *parents])
        raise InputError(f"the CPT has shape {table.shape}, expected {expected} for axes ({axes})", where)
    flat = table.reshape(expected[0], -1)
    sums = flat.sum(axis=0)
    for config in range(flat.shape[1]):
        column = flat[:, config]
        bad_values = not np.all(np.isfinite(column)) or np.any(column < 0)
        if bad_values or abs(float(sums[config]) - 1.0) > _CPT_TOLERANCE:
            combo = np.unravel_index(config, expected[1:]) if parents else ()
            given = ", ".join(f"{p}={states[p][int(i)]}" for p, i in zip(parents, combo, strict=True))
            label = f"P({var} | {given})" if parents else f"P({var})"
            problem = "has a negative or non-finite entry" if bad_values else f"sums to {float(sums[config])!r}, not 1"
            raise InputError(f"{label} {problem}", where)
    # Renormalise only columns visibly off one, so exact user numbers stay bit-exact.
    scale = np.where(np.abs(sums - 1.0) > 1e-12, sums, 1.0)
    return (flat / scale).reshape(expected)


def check_mechanism(graph: CausalGraph, states: Mapping[str, tuple[str, ...]], var: str, m: Mechanism) -> None:
    where = f"variable {var!r}"
    if not isinstance(m, Mechanism):
        raise InputError(f"expected a Mechanism, got {type(m).__name__}", where)
    if sorted(m.parents) != sorted(graph.parents(var)):
        raise GraphError(
            f"mechanism parents {list(m.parents)} differ from the graph's {sorted(graph.parents(var))}", where
        )
    problem = check_noise(m.noise)
    if problem:
        raise InputError(problem, where)
    expected = (m.n_cells, *[len(states[p]) for p in m.parents])
    if m.response.shape != expected:
        raise InputError(f"the response table has shape {m.response.shape}, expected {expected}", where)
    if np.any(m.response < 0) or np.any(m.response >= len(states[var])):
        raise InputError(f"the response table has a state index outside 0..{len(states[var]) - 1}", where)
