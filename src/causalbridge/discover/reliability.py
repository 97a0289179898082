"""How far to trust a model's edge directions, learned from its own consistency, known edges and the data.

The model is a noisy judge: when it names a direction, it is right with probability ``r`` (its *directional
reliability*; "no direct edge" answers say nothing about direction and are set aside). The data algorithm is a
second judge whose arrows are right with probability ``q``. Three kinds of evidence pin ``r`` and ``q`` down:

* asking an edge again with the two variables swapped gives an independent second vote, and two votes of an
  r-reliable judge agree with probability ``r^2 + (1 - r)^2``; a model that answers "the first variable causes
  the second" whatever the variables are contradicts itself on every swap and is exposed as being at chance;
* votes on edges the user knows are right with probability ``r``;
* votes on arrows the data oriented agree with them with probability ``q r + (1 - q)(1 - r)``.

A grid posterior over (r, q) combines them. Its prior is deliberately sceptical: half its mass says the model is
at chance (``r = 1/2``), half spreads ``r`` uniformly over (1/2, 1), so a few lucky agreements cannot make a coin
look like an oracle. Each edge's probability is then the posterior of its direction with (r, q) integrated out,
which is how "accept the model's orientation only when its evidence beats the data's" is made exact.

Paraphrased questions are not independent of the original (a model with a wrong belief repeats it), so their
agreement only *caps* ``r``: inconsistency proves unreliability, consistency proves nothing. Swap agreement
shares that weakness for a real model with confident wrong beliefs; only known edges measure those.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from causalbridge.errors import InputError
from causalbridge.metrics import wilson_interval

EdgeKind = Literal["undirected", "data", "known"]


@dataclass(frozen=True, slots=True)
class EdgeVotes:
    """The model's directional votes about one edge, framed as ``u -> v``: +1 for u -> v, -1 for v -> u.

    ``kind`` says what is known before the votes: nothing about the direction (``undirected``), the data's
    arrow ``u -> v`` (``data``), or the user's arrow ``u -> v`` (``known``, certain).
    """

    u: str
    v: str
    kind: EdgeKind
    votes: tuple[int, ...]

    @property
    def forward(self) -> int:
        return sum(1 for x in self.votes if x > 0)

    @property
    def backward(self) -> int:
        return sum(1 for x in self.votes if x < 0)


def reliability_from_agreement(c: float) -> float:
    """The r with ``r^2 + (1 - r)^2 = c`` on [1/2, 1] (agreement at or below 1/2 maps to chance)."""
    return 0.5 + 0.5 * math.sqrt(max(0.0, min(1.0, 2.0 * c - 1.0)))


@dataclass(frozen=True)
class ReliabilityFit:
    """The posterior over (r, q) and, through it, the direction posterior of every edge."""

    edges: tuple[EdgeVotes, ...]
    r: np.ndarray
    q: np.ndarray
    log_weights: np.ndarray
    edge_log_lik: np.ndarray
    cap: float
    paraphrase: tuple[int, int]

    @property
    def _weights(self) -> np.ndarray:
        w = np.exp(self.log_weights - self.log_weights.max())
        return w / w.sum()

    @property
    def r_mean(self) -> float:
        return float((self._weights.sum(axis=1) * self.r).sum())

    @property
    def q_mean(self) -> float:
        return float((self._weights.sum(axis=0) * self.q).sum())

    @property
    def p_chance(self) -> float:
        """Posterior probability that the model is at chance (r = 1/2)."""
        return float(self._weights.sum(axis=1)[0])

    def r_interval(self, level: float = 0.9) -> tuple[float, float]:
        cdf = np.cumsum(self._weights.sum(axis=1))
        tail = (1.0 - level) / 2.0
        low = float(self.r[min(len(self.r) - 1, int(np.searchsorted(cdf, tail)))])
        high = float(self.r[min(len(self.r) - 1, int(np.searchsorted(cdf, 1.0 - tail)))])
        return low, high

    def direction(self, index: int) -> float:
        """P(u -> v) for ``edges[index]`` given every vote (the edge's own included) and the data."""
        e = self.edges[index]
        rr = self.r[:, None]
        fwd = rr**e.forward * (1.0 - rr) ** e.backward
        prior = _prior_forward(e.kind, self.q)[None, :]
        rest = np.exp(self.log_weights - self.log_weights.max() - self.edge_log_lik[index])
        total = np.exp(self.log_weights - self.log_weights.max()).sum()
        return float(min(1.0, max(0.0, (rest * prior * fwd).sum() / total)))

    def to_dict(self) -> dict[str, float | int]:
        low, high = self.r_interval()
        swaps = sum(1 for e in self.edges if len(e.votes) >= 2)
        return {
            "reliability_mean": round(self.r_mean, 4),
            "reliability_low": round(low, 4),
            "reliability_high": round(high, 4),
            "p_model_at_chance": round(self.p_chance, 4),
            "data_arrow_accuracy_mean": round(self.q_mean, 4),
            "paraphrase_cap": round(self.cap, 4),
            "paraphrase_agreements": self.paraphrase[0],
            "paraphrase_comparisons": self.paraphrase[1],
            "edges_with_two_or_more_votes": swaps,
            "known_edges_graded": sum(1 for e in self.edges if e.kind == "known" and e.votes),
        }


def _prior_forward(kind: EdgeKind, q: np.ndarray) -> np.ndarray:
    if kind == "undirected":
        return np.full_like(q, 0.5)
    if kind == "known":
        return np.ones_like(q)
    return q


def fit_reliability(
    edges: Sequence[EdgeVotes],
    paraphrase: tuple[int, int] = (0, 0),
    *,
    prior_chance: float = 0.5,
    data_confidence: float | None = None,
    grid: int = 101,
) -> ReliabilityFit:
    """The posterior over the model's reliability ``r`` and the data's arrow accuracy ``q``.

    ``paraphrase`` is (agreements, comparisons) between original and paraphrased answers; its 90% upper bound
    caps ``r``. ``prior_chance`` is the prior probability that the model is at chance. ``data_confidence`` fixes
    ``q`` instead of learning it (uniform on [0.2, 1) otherwise: data arrows can be worse than a coin).
    """
    if not 0.0 < prior_chance < 1.0:
        raise InputError(f"prior_chance must lie strictly between 0 and 1, got {prior_chance}", "prior_chance")
    agree, compared = paraphrase
    if not 0 <= agree <= compared:
        raise InputError(f"paraphrase agreements must lie in [0, {compared}], got {agree}", where="paraphrase")
    cap = 1.0
    if compared:
        cap = reliability_from_agreement(wilson_interval(agree, compared, 0.9)[1])
    slab = np.linspace(0.5, 1.0 - 1e-6, grid)[1:]
    r = np.concatenate([[0.5], slab])
    log_prior_r = np.concatenate(
        [[math.log(prior_chance)], np.full(len(slab), math.log((1 - prior_chance) / len(slab)))]
    )
    log_prior_r = np.where(r <= cap + 1e-12, log_prior_r, -np.inf)
    if not np.isfinite(log_prior_r).any():
        log_prior_r[0] = 0.0
    q = np.array([data_confidence]) if data_confidence is not None else np.linspace(0.2, 0.99, 80)
    rr = r[:, None]
    edge_lik = np.zeros((len(edges), len(r), len(q)))
    for i, e in enumerate(edges):
        fwd = rr**e.forward * (1.0 - rr) ** e.backward
        bwd = (1.0 - rr) ** e.forward * rr**e.backward
        p_fwd = _prior_forward(e.kind, q)[None, :]
        edge_lik[i] = np.log(np.maximum(p_fwd * fwd + (1.0 - p_fwd) * bwd, 1e-300))
    log_weights = log_prior_r[:, None] + edge_lik.sum(axis=0) - math.log(len(q))
    return ReliabilityFit(tuple(edges), r, q, log_weights, edge_lik, cap, paraphrase)
