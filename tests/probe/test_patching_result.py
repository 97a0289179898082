"""PatchingResult: the immutable grid, its derived views, JSON round trip and the heatmap files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from causalbridge.errors import InputError
from causalbridge.probe.patching import PatchingResult, Site, SiteKind


def _result(clean: float = 2.0, corrupted: float = -1.0) -> PatchingResult:
    effects = np.arange(2 * 3 * 4, dtype=float).reshape(2, 3, 4) / 10.0 - 0.5
    return PatchingResult(
        tokens=("The", " E", "iffel", " of"),
        kinds=(SiteKind.RESID, SiteKind.MLP),
        layers=(0, 1, 2),
        positions=(0, 2, 3, None),
        effects=effects,
        clean_metric=clean,
        corrupted_metric=corrupted,
        metric="logit(' Paris') - logit(' Rome')",
        corruption="counterfactual prompt 'x'",
        model="TinyModel",
        batch_size=8,
        seconds=1.5,
        n_layers=3,
    )


def test_grid_views_agree_with_the_effects() -> None:
    result = _result()
    assert result.total_effect == 3.0
    assert result.normalized == pytest.approx(result.effects / 3.0)
    assert result.patched_metrics == pytest.approx(result.effects - 1.0)
    assert len(result.sites) == 24
    assert result.sites[5] == Site(SiteKind.RESID, 1, 2)
    assert result.effect(Site(SiteKind.RESID, 1, 2)) == pytest.approx(result.effects[0, 1, 1])
    assert result.effect(Site(SiteKind.MLP, -1, -1)) == pytest.approx(result.effects[1, 2, 2])
    assert result.effect(Site(SiteKind.MLP, 0, None)) == pytest.approx(result.effects[1, 0, 3])
    best = result.top(3)
    expected = [Site(SiteKind.MLP, 2, None), Site(SiteKind.MLP, 2, 3), Site(SiteKind.MLP, 2, 2)]
    assert [site for site, _ in best] == expected
    assert [value for _, value in best] == sorted((value for _, value in best), reverse=True)
    with pytest.raises(InputError, match="not part of the sweep"):
        result.effect(Site(SiteKind.ATTN, 0, 0))
    with pytest.raises(InputError, match="not part of the sweep"):
        result.effect(Site(SiteKind.RESID, 0, 1))


def test_effects_are_immutable_and_copied() -> None:
    source = np.zeros((1, 1, 1))
    result = PatchingResult(("a",), (SiteKind.RESID,), (0,), (0,), source, 1.0, 0.0)
    source[0, 0, 0] = 5.0
    assert result.effects[0, 0, 0] == 0.0
    with pytest.raises(ValueError, match="read-only"):
        result.effects[0, 0, 0] = 1.0
    with pytest.raises(InputError, match=r"effects has shape \(1, 1, 1\), expected \(1, 2, 1\)"):
        PatchingResult(("a",), (SiteKind.RESID,), (0, 1), (0,), source, 1.0, 0.0)


def test_zero_total_effect_gives_nan_normalised_effects_and_null_json() -> None:
    result = _result(clean=1.0, corrupted=1.0)
    assert np.isnan(result.normalized).all()
    data = json.loads(result.to_json())
    assert data["normalized_effects"][0][0][0] is None


def test_json_round_trip(tmp_path: Path) -> None:
    result = _result()
    path = tmp_path / "patching.json"
    text = result.to_json(path)
    assert json.loads(path.read_text()) == json.loads(text)
    data = json.loads(text)
    assert data["total_effect"] == 3.0 and data["positions"][-1] is None and data["kinds"] == ["resid", "mlp"]
    back = PatchingResult.from_json(text)
    assert back.effects == pytest.approx(result.effects, abs=0)
    for name in ("tokens", "kinds", "layers", "positions", "clean_metric", "corrupted_metric", "metric", "n_layers"):
        assert getattr(back, name) == getattr(result, name)
    assert math.isclose(back.normalized[0, 1, 1], result.normalized[0, 1, 1])
    with pytest.raises(InputError, match="not a patching result"):
        PatchingResult.from_json(json.dumps({"format": "other"}))
    with pytest.raises(InputError, match="cannot read a patching result"):
        PatchingResult.from_json("{not json")


def test_heatmap_writes_png_and_svg(tmp_path: Path) -> None:
    png, svg = _result().heatmap(tmp_path / "figs" / "trace.png")
    assert (png.name, svg.name) == ("trace.png", "trace.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "iffel" in text and "mlp output" in text  # token labels and panel titles are real text
    flat, _ = _result(clean=1.0, corrupted=1.0).heatmap(tmp_path / "flat")  # no total effect: raw effects
    assert flat.name == "flat.png" and flat.stat().st_size > 1000


def test_probe_package_exports_patching_lazily() -> None:
    import causalbridge.probe as probe
    import causalbridge.probe.patching as patching

    assert probe.patch_sweep is patching.patch_sweep and probe.SiteKind is SiteKind
    assert "patch_sweep" in probe.__all__
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        _ = probe.nonexistent
    assert Site(SiteKind.ATTN, 3, None).to_dict() == {"kind": "attn", "layer": 3, "position": None}
    assert str(Site(SiteKind.MLP, 2, -1)) == "mlp of layer 2 at position -1"
