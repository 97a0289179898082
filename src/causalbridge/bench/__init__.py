"""Causal-reasoning benchmarks for LLMs: one item type, loaders for public datasets, exact generators.

Items (:class:`BenchItem`) and datasets (:class:`BenchDataset`) are immutable values shared by everything
downstream (runner, scorers, reports). Loaders live in :mod:`causalbridge.bench.load`, generators in
:mod:`causalbridge.bench.generate` (imported on demand: they pull in the graph algorithms and numpy).
"""

from causalbridge.bench.items import NAMING_MODES, YES_NO, BenchDataset, BenchItem, Meta
from causalbridge.bench.load import load_benchmark

__all__ = ["NAMING_MODES", "YES_NO", "BenchDataset", "BenchItem", "Meta", "load_benchmark"]
