"""One random stream per variable, so that a model and its ``do`` version share their exogenous draws.

Sampling ``scm`` and ``scm.do(...)`` with the same seed then gives *paired* rows: every variable that the
intervention does not touch keeps its noise, which is what a unit-level counterfactual comparison needs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from causalbridge.errors import InputError

Seed = int | np.random.Generator | None


def variable_streams(seed: Seed, names: Sequence[str]) -> dict[str, np.random.Generator]:
    """Independent generators keyed by variable, derived from ``seed`` in the order of ``names``."""
    if isinstance(seed, np.random.Generator):
        children = seed.spawn(len(names))
    else:
        children = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(names))]
    return dict(zip(names, children, strict=True))


def sample_size(n: object) -> int:
    """``n`` as a non-negative int, or an :class:`InputError` (a float or a negative count is a user slip)."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise InputError(f"the number of samples must be an integer >= 0, got {n!r}")
    return int(n)
