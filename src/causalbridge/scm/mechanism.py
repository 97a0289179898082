"""Discrete structural mechanisms ``V = f_V(pa(V), U_V)`` with a finite exogenous ``U_V``.

A CPT only fixes P(V | pa); counterfactuals (rung 3) also need to know how the *same* unit would respond under
different parent values, which is what a mechanism with an explicit exogenous variable says. CPTs alone do not
identify those answers, so :func:`comonotone` picks one canonical SCM per CPT — the inverse-CDF coupling:
``U_V ~ Uniform(0, 1)`` and ``V`` is the first state whose cumulative probability given the parents exceeds
``U_V``. The union of all cumulative breakpoints cuts [0, 1] into finitely many cells, and only the cell of
``U_V`` matters, so the exogenous variable is exactly discrete: ``noise[k]`` is the width of cell k and
``response[k, *pa]`` the state chosen there. Counterfactuals from a CPT-built model are exact *for this coupling*;
give explicit mechanisms when the coupling is known to be something else.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from causalbridge.errors import InputError

_NOISE_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class Mechanism:
    """``V = response[u, i_1, ..., i_m]`` where ``u`` is the exogenous cell (``P(u) = noise[u]``) and ``i_j`` is
    the state index of ``parents[j]``. ``response`` holds indices into V's states."""

    parents: tuple[str, ...]
    noise: np.ndarray
    response: np.ndarray

    def __post_init__(self) -> None:
        noise = np.array(self.noise, dtype=float).reshape(-1)
        response = np.array(self.response)
        if response.dtype.kind not in "iu":
            raise TypeError(f"response must hold integer state indices, got dtype {response.dtype}")
        response = response.astype(np.int64)
        if response.ndim != 1 + len(self.parents) or response.shape[0] != noise.shape[0]:
            raise ValueError(
                f"response has shape {response.shape}; expected ({noise.shape[0]}, one axis per parent "
                f"of {list(self.parents)})"
            )
        noise.flags.writeable = False
        response.flags.writeable = False
        object.__setattr__(self, "parents", tuple(self.parents))
        object.__setattr__(self, "noise", noise)
        object.__setattr__(self, "response", response)

    @property
    def n_cells(self) -> int:
        return int(self.noise.shape[0])

    def cpt(self, card: int) -> np.ndarray:
        """P(V | parents) implied by the mechanism, axes ``(V, *parents)``: the mass of the cells choosing V."""
        flat = self.response.reshape(self.n_cells, -1)
        configs = flat.shape[1]
        index = (flat * configs + np.arange(configs)).ravel()
        mass = np.bincount(index, weights=np.repeat(self.noise, configs), minlength=card * configs)
        return mass.reshape((card, *self.response.shape[1:]))

    def indicator(self, card: int) -> np.ndarray:
        """The deterministic table ``[V = f(u, pa)]`` with axes ``(V, U, *parents)`` (used by twin networks)."""
        return (self.response[None, ...] == np.arange(card).reshape((card,) + (1,) * self.response.ndim)).astype(float)

    def apply(self, cells: np.ndarray, parent_states: list[np.ndarray]) -> np.ndarray:
        """Vectorised evaluation: the state index of V for each row, given each row's cell and parent states."""
        return self.response[(cells, *parent_states)]


def constant(state: int) -> Mechanism:
    """The mechanism of an intervened variable: always ``state``, whatever the exogenous draw."""
    return Mechanism((), np.ones(1), np.array([state], dtype=np.int64))


def comonotone(cpt: np.ndarray, parents: tuple[str, ...]) -> Mechanism:
    """The inverse-CDF SCM of a CPT with axes ``(V, *parents)`` whose columns sum to one.

    Cell ``[b_k, b_{k+1})`` maps to the first state j with cumulative ``c_j > b_k``: comparing against the cell's
    *left* breakpoint (itself one of the cumulative values) is exact in floating point, unlike a midpoint test
    that could round across a sliver-thin cell.
    """
    card = cpt.shape[0]
    flat = cpt.reshape(card, -1)
    cumulative = np.clip(np.cumsum(flat, axis=0)[:-1], 0.0, 1.0)  # (card - 1, configurations)
    breaks = np.unique(np.concatenate([[0.0, 1.0], cumulative.ravel()]))
    left, width = breaks[:-1], np.diff(breaks)
    response = np.empty((left.shape[0], flat.shape[1]), dtype=np.int64)
    for config in range(flat.shape[1]):
        response[:, config] = np.searchsorted(cumulative[:, config], left, side="right")
    return Mechanism(parents, width, response.reshape((left.shape[0], *cpt.shape[1:])))


def inverse_cdf(cpt: np.ndarray, parent_codes: list[np.ndarray], u: np.ndarray) -> np.ndarray:
    """Per row, the first state whose cumulative P(state | parents) exceeds ``u`` — the comonotone mechanism
    evaluated without its cells (rows are grouped by parent setting so each group is one ``searchsorted``)."""
    if len(u) == 0:
        return np.zeros(0, dtype=np.int64)
    card = cpt.shape[0]
    cumulative = np.cumsum(cpt.reshape(card, -1), axis=0)[:-1]
    config = np.ravel_multi_index(parent_codes, cpt.shape[1:]) if parent_codes else np.zeros(len(u), dtype=np.int64)
    out = np.empty(len(u), dtype=np.int64)
    rows = np.argsort(config, kind="stable")
    ordered = config[rows]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    for begin, end in zip(starts, [*starts[1:], len(u)], strict=True):
        group = rows[begin:end]
        out[group] = np.searchsorted(cumulative[:, ordered[begin]], u[group], side="right")
    return out


def tabulate(
    var: str,
    parents: tuple[str, ...],
    states: Mapping[str, tuple[str, ...]],
    noise: Mapping[str, float],
    function: Callable[[str, Mapping[str, str]], str],
) -> Mechanism:
    """A mechanism from a readable function ``function(u_label, {parent: state}) -> state``, called once per
    exogenous label and parent setting."""
    labels = list(noise)
    response = np.empty((len(labels), *[len(states[p]) for p in parents]), dtype=np.int64)
    for i, label in enumerate(labels):
        for combo in itertools.product(*[range(len(states[p])) for p in parents]):
            setting = {p: states[p][j] for p, j in zip(parents, combo, strict=True)}
            out = str(function(str(label), setting))
            if out not in states[var]:
                raise InputError(
                    f"the function returned {out!r} for u={label!r}, {setting}; states are {list(states[var])}",
                    f"variable {var!r}",
                )
            response[(i, *combo)] = states[var].index(out)
    return Mechanism(parents, np.array([float(noise[label]) for label in labels]), response)


def check_noise(noise: np.ndarray) -> str | None:
    """Why ``noise`` is not a probability vector, or None when it is."""
    if noise.ndim != 1 or noise.shape[0] == 0:
        return "the exogenous distribution must be a non-empty vector"
    if not np.all(np.isfinite(noise)) or np.any(noise < 0):
        return "exogenous probabilities must be finite and non-negative"
    if abs(float(noise.sum()) - 1.0) > _NOISE_TOLERANCE:
        return f"exogenous probabilities sum to {float(noise.sum())!r}, not 1"
    return None
