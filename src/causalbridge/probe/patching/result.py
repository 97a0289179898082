"""The outcome of a patching sweep: an immutable grid of indirect effects plus what is needed to read it."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from causalbridge.errors import InputError
from causalbridge.probe.patching.sites import Site, SiteKind

FORMAT = "causalbridge.patching/1"


def _frozen(values: Any) -> np.ndarray:
    array = np.array(values, dtype=np.float64)  # a private copy: the caller's array can change, ours cannot
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class PatchingResult:
    """Indirect effects of restoring each site, on a ``(kind, layer, position)`` grid.

    ``effects[k, l, p]`` is ``metric(corrupted run with site (kinds[k], layers[l], positions[p]) restored)
    - metric(corrupted run)``; the total effect is ``metric(clean) - metric(corrupted)``, and
    :attr:`normalized` divides the one by the other, so 1 means "this site alone restores the clean answer".
    A position of None is the column that restores every position at once.
    """

    tokens: tuple[str, ...]
    kinds: tuple[SiteKind, ...]
    layers: tuple[int, ...]
    positions: tuple[int | None, ...]
    effects: np.ndarray
    clean_metric: float
    corrupted_metric: float
    metric: str = ""
    corruption: str = ""
    model: str = ""
    batch_size: int = 0
    seconds: float = 0.0
    corrupted_tokens: tuple[str, ...] = field(default=())
    n_layers: int = 0  # the model's layer count, so that negative layers resolve as they did in the sweep

    def __post_init__(self) -> None:
        effects = _frozen(self.effects)
        expected = (len(self.kinds), len(self.layers), len(self.positions))
        if effects.shape != expected:
            raise InputError(f"effects has shape {effects.shape}, expected {expected}", where="PatchingResult")
        object.__setattr__(self, "effects", effects)

    @property
    def total_effect(self) -> float:
        return self.clean_metric - self.corrupted_metric

    @property
    def normalized(self) -> np.ndarray:
        """Indirect effects as a fraction of the total effect (NaN everywhere when the total effect is 0)."""
        total = self.total_effect
        if total == 0 or not math.isfinite(total):
            return np.full_like(self.effects, np.nan)
        return self.effects / total

    @property
    def patched_metrics(self) -> np.ndarray:
        """The metric of each patched run (indirect effect plus the corrupted baseline)."""
        return self.effects + self.corrupted_metric

    @property
    def sites(self) -> tuple[Site, ...]:
        """Every site of the grid, in the row-major order of :attr:`effects`."""
        return tuple(Site(k, layer, p) for k in self.kinds for layer in self.layers for p in self.positions)

    def effect(self, site: Site) -> float:
        """The indirect effect of one site of the grid (negative indices are resolved against the grid)."""
        resolved = site.resolve(self.n_layers or max(self.layers) + 1, len(self.tokens))
        try:
            index = (
                self.kinds.index(resolved.kind),
                self.layers.index(resolved.layer),
                self.positions.index(resolved.position),
            )
        except ValueError:
            raise InputError("this site was not part of the sweep", where=f"Site({site})") from None
        return float(self.effects[index])

    def top(self, n: int = 5) -> list[tuple[Site, float]]:
        """The ``n`` sites with the largest indirect effects, largest first."""
        flat = self.effects.ravel()
        order = np.argsort(-flat, kind="stable")[:n]
        sites = self.sites
        return [(sites[i], float(flat[i])) for i in order]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "model": self.model,
            "metric": self.metric,
            "corruption": self.corruption,
            "tokens": list(self.tokens),
            "corrupted_tokens": list(self.corrupted_tokens),
            "kinds": [kind.value for kind in self.kinds],
            "n_layers": self.n_layers,
            "layers": list(self.layers),
            "positions": list(self.positions),
            "clean_metric": self.clean_metric,
            "corrupted_metric": self.corrupted_metric,
            "total_effect": self.total_effect,
            "effects": self.effects.tolist(),
            "normalized_effects": [
                [[None if math.isnan(v) else v for v in row] for row in kind] for kind in self.normalized.tolist()
            ],
            "batch_size": self.batch_size,
            "seconds": self.seconds,
        }

    def to_json(self, path: str | Path | None = None) -> str:
        """The result as JSON (written to ``path`` too when given); :meth:`from_json` reads it back."""
        text = json.dumps(self.to_dict(), indent=1)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, text: str) -> PatchingResult:
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise InputError(f"not a patching result (format {data.get('format')!r}, expected {FORMAT!r})")
            return cls(
                tokens=tuple(data["tokens"]),
                kinds=tuple(SiteKind(kind) for kind in data["kinds"]),
                layers=tuple(int(layer) for layer in data["layers"]),
                positions=tuple(None if p is None else int(p) for p in data["positions"]),
                effects=np.array(data["effects"], dtype=np.float64),
                clean_metric=float(data["clean_metric"]),
                corrupted_metric=float(data["corrupted_metric"]),
                metric=str(data.get("metric", "")),
                corruption=str(data.get("corruption", "")),
                model=str(data.get("model", "")),
                batch_size=int(data.get("batch_size", 0)),
                seconds=float(data.get("seconds", 0.0)),
                corrupted_tokens=tuple(data.get("corrupted_tokens", ())),
                n_layers=int(data.get("n_layers", 0)),
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError(f"cannot read a patching result: {exc}", where="JSON") from exc

    def heatmap(self, path: str | Path, *, normalized: bool = True) -> tuple[Path, Path]:
        """Save the layers x positions heatmap of every kind as PNG and SVG; returns both paths."""
        from causalbridge.probe.patching.heatmap import save_heatmap

        return save_heatmap(self, Path(path), normalized=normalized)
