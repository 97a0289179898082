"""Additive-noise SCMs ``V = f_V(pa(V)) + U_V`` over continuous variables.

With additive noise a unit's exogenous value is recoverable from observations: ``u_V = x_V - f_V(pa_V)``
whenever V and all its parents are observed. So counterfactuals are exact — abduction is subtraction — as long as
every noise term the counterfactual targets depend on is recoverable. :class:`AdditiveSCMBase` implements that
once; :class:`AdditiveNoiseSCM` takes arbitrary callables and :class:`~causalbridge.scm.linear.LinearSCM` adds
closed forms (total effects, Gaussian conditioning with partial evidence).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from causalbridge.errors import InputError, UnknownVariableError
from causalbridge.graph import CausalGraph
from causalbridge.scm.noise import Noise
from causalbridge.scm.seeding import Seed, sample_size, variable_streams

if TYPE_CHECKING:
    import pandas as pd

Function = Callable[[Mapping[str, np.ndarray]], np.ndarray | float]
Evidence = Mapping[str, float] | Mapping[str, Sequence[float]] | Mapping[str, np.ndarray] | Any
_Self = TypeVar("_Self", bound="AdditiveSCMBase")


class AdditiveSCMBase:
    """Shared machinery: noise per variable, seeded sampling, and exact abduction from observed values."""

    _graph: CausalGraph
    _noise: Mapping[str, Noise]
    _order: tuple[str, ...]

    def _init_base(self, graph: CausalGraph, noise: Mapping[str, Noise] | Noise | None) -> None:
        graph.require_dag(where=type(self).__name__)
        if noise is None or isinstance(noise, Noise):
            per_var = dict.fromkeys(graph.nodes, noise or Noise())
        else:
            for v in noise:
                if v not in graph:
                    raise UnknownVariableError(v, graph.nodes, where="noise")
            per_var = {v: noise.get(v, Noise()) for v in graph.nodes}
        for v, n in per_var.items():
            if not isinstance(n, Noise):
                raise InputError(f"expected a Noise, got {type(n).__name__}", f"variable {v!r}")
        object.__setattr__(self, "_graph", graph)
        object.__setattr__(self, "_noise", MappingProxyType(per_var))
        object.__setattr__(self, "_order", tuple(graph.topological_order()))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; do() returns a new model")

    # ------------------------------------------------------------------ to be provided by subclasses
    def structural(self, var: str, parents: Mapping[str, np.ndarray]) -> np.ndarray:
        """f_var evaluated row-wise on parent values (the deterministic part of var's equation)."""
        raise NotImplementedError

    def _intervened(self: _Self, values: Mapping[str, float]) -> _Self:
        raise NotImplementedError

    # ------------------------------------------------------------------ shared API
    @property
    def graph(self) -> CausalGraph:
        return self._graph

    @property
    def variables(self) -> tuple[str, ...]:
        return self._graph.nodes

    @property
    def noise(self) -> Mapping[str, Noise]:
        return self._noise

    def _eval(self, var: str, values: Mapping[str, np.ndarray], m: int) -> np.ndarray:
        parents = {p: values[p] for p in self._graph.parents(var)}
        out = np.asarray(self.structural(var, parents), dtype=float)
        return np.broadcast_to(out, (m,)).astype(float)

    def sample(self, n: int, seed: Seed = None) -> pd.DataFrame:
        """``n`` i.i.d. rows (columns in graph order); each variable has its own stream, so a ``do`` model
        sampled with the same seed is paired row by row with this one."""
        import pandas as pd

        n = sample_size(n)
        streams = variable_streams(seed, self._graph.nodes)
        values: dict[str, np.ndarray] = {}
        for v in self._order:
            values[v] = self._eval(v, values, n) + self._noise[v].sample(n, streams[v])
        return pd.DataFrame({v: values[v] for v in self._graph.nodes})

    def do(self: _Self, intervention: Mapping[str, float]) -> _Self:
        """The model with each named variable set to a constant and its incoming edges removed."""
        values: dict[str, float] = {}
        for v, x in intervention.items():
            if v not in self._graph:
                raise UnknownVariableError(v, self._graph.nodes, where="intervention")
            values[v] = as_number(x, v)
        return self._intervened(values) if values else self

    def counterfactual(
        self, evidence: Evidence, do: Mapping[str, float], targets: str | Sequence[str] | None = None
    ) -> Any:
        """Values the targets would have taken under ``do``, for the unit(s) described by ``evidence``.

        ``evidence`` is one unit (``{var: value}``, answer ``{target: value}``) or a DataFrame of units
        (answer: a DataFrame). Exact when every noise term the targets depend on is recoverable (the variable
        and its parents observed); otherwise :class:`InputError` says which are missing.
        """
        values, single = evidence_arrays(self._graph, evidence)
        names = target_list(self._graph, targets)
        post = self.do(do)
        needed = needed_noise(post, names, set(do))
        missing = [v for v in needed if v not in values or any(p not in values for p in self._graph.parents(v))]
        if missing:
            raise InputError(
                f"an exact counterfactual needs the noise of {missing}, which is only recoverable when the variable "
                f"and all its parents are observed; observed: {sorted(values)}",
                "evidence",
            )
        m = len(next(iter(values.values())))
        noise = {v: values[v] - self._eval(v, values, m) for v in needed}
        return predict(post, names, noise, m, single)


class AdditiveNoiseSCM(AdditiveSCMBase):
    """``V = functions[V](parents) + U_V`` with arbitrary (vectorised) functions of the parents.

    ``functions[v]`` receives ``{parent: array}`` and returns an array (or a scalar to broadcast); a root
    without a function has ``f = 0``.

    >>> g = CausalGraph.dag([("x", "y")])
    >>> scm = AdditiveNoiseSCM(g, {"y": lambda pa: np.sin(pa["x"])})
    >>> scm.counterfactual({"x": 0.0, "y": 0.5}, do={"x": np.pi / 2})["y"]
    1.5
    """

    _functions: Mapping[str, Function]

    def __init__(
        self,
        graph: CausalGraph,
        functions: Mapping[str, Function] | None = None,
        noise: Mapping[str, Noise] | Noise | None = None,
    ) -> None:
        self._init_base(graph, noise)
        funcs = dict(functions or {})
        for v in funcs:
            if v not in graph:
                raise UnknownVariableError(v, graph.nodes, where="functions")
            if not callable(funcs[v]):
                raise InputError("the structural function must be callable", f"variable {v!r}")
        for v in graph.nodes:
            if v not in funcs and graph.parents(v):
                raise InputError(f"has parents {sorted(graph.parents(v))} but no function", f"variable {v!r}")
        object.__setattr__(self, "_functions", MappingProxyType(funcs))

    def __reduce__(self) -> tuple[Any, ...]:  # MappingProxyType attributes do not pickle by themselves
        return (AdditiveNoiseSCM, (self._graph, dict(self._functions), dict(self._noise)))

    def structural(self, var: str, parents: Mapping[str, np.ndarray]) -> np.ndarray:
        f = self._functions.get(var)
        return np.asarray(0.0 if f is None else f(parents), dtype=float)

    def _intervened(self, values: Mapping[str, float]) -> AdditiveNoiseSCM:
        funcs = dict(self._functions)
        noise = dict(self._noise)
        for v, x in values.items():
            funcs[v] = _Constant(x)
            noise[v] = Noise(noise[v].kind, 0.0, noise[v].df)
        return AdditiveNoiseSCM(self._graph.do(values), funcs, noise)

    def __repr__(self) -> str:
        return f"AdditiveNoiseSCM({len(self.variables)} variables, {len(self._graph.directed_edges)} edges)"


class _Constant:
    """The structural function of an intervened variable (a class, not a lambda, so models pickle)."""

    def __init__(self, value: float) -> None:
        self.value = value

    def __call__(self, parents: Mapping[str, np.ndarray]) -> float:
        return self.value


# ---------------------------------------------------------------------- helpers
def as_number(x: object, var: str) -> float:
    try:
        value = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{x!r} is not a number", f"variable {var!r}") from None
    if not np.isfinite(value):
        raise InputError(f"{x!r} is not a finite number", f"variable {var!r}")
    return value


def target_list(graph: CausalGraph, targets: str | Sequence[str] | None) -> list[str]:
    names = list(graph.nodes) if targets is None else [targets] if isinstance(targets, str) else list(targets)
    for t in names:
        if t not in graph:
            raise UnknownVariableError(t, graph.nodes, where="targets")
    return names


def evidence_arrays(graph: CausalGraph, evidence: Evidence) -> tuple[dict[str, np.ndarray], bool]:
    """Evidence as equal-length float arrays, and whether it described a single unit."""
    import pandas as pd

    if isinstance(evidence, pd.DataFrame):
        raw: Mapping[str, Any] = {str(c): evidence[c].to_numpy() for c in evidence.columns}
        single = False
    elif isinstance(evidence, Mapping):
        raw, single = evidence, all(np.ndim(x) == 0 for x in evidence.values())
    else:
        raise InputError(f"evidence must be a mapping or a DataFrame, got {type(evidence).__name__}", "evidence")
    out: dict[str, np.ndarray] = {}
    for v, x in raw.items():
        if v not in graph:
            raise UnknownVariableError(v, graph.nodes, where="evidence")
        try:
            arr = np.atleast_1d(np.asarray(x, dtype=float))
        except (TypeError, ValueError):
            raise InputError(f"observed values must be numbers, got {x!r}", f"variable {v!r}") from None
        if arr.ndim != 1 or not np.all(np.isfinite(arr)):
            raise InputError("observed values must be finite numbers (one per unit)", f"variable {v!r}")
        out[v] = arr
    lengths = {len(a) for a in out.values()}
    if len(lengths) > 1:
        raise InputError(f"every observed variable needs the same number of units, got {sorted(lengths)}", "evidence")
    if not out:
        raise InputError("a counterfactual needs evidence about the unit", "evidence")
    return out, single


def needed_noise(post: AdditiveSCMBase, targets: Sequence[str], intervened: set[str]) -> list[str]:
    """Variables whose noise the targets depend on in the intervened model (intervened ones need none)."""
    relevant = post.graph.ancestors(targets, include_self=True)
    return [v for v in post.graph.topological_order() if v in relevant and v not in intervened]


def predict(post: AdditiveSCMBase, names: list[str], noise: Mapping[str, np.ndarray], m: int, single: bool) -> Any:
    """Prediction: run the intervened model forward with the abducted noise (0 where not given)."""
    import pandas as pd

    relevant = post.graph.ancestors(names, include_self=True)
    values: dict[str, np.ndarray] = {}
    for v in post.graph.topological_order():
        if v in relevant:
            values[v] = post._eval(v, values, m) + noise.get(v, np.zeros(m))
    if single:
        return {t: float(values[t][0]) for t in names}
    return pd.DataFrame({t: values[t] for t in names})
