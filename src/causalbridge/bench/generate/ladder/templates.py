"""Graph templates for ladder questions, and seeded binary CPTs drawn on them.

A template is a small DAG with named roles: the treatment X and the outcome Y of every question, plus an
optional mediator, collider and instrument, and the variables that are *latent* (in the model, never in the
text: the hidden confounder of the instrument and frontdoor templates). The built-in templates follow CLadder's
graphs (Jin et al., NeurIPS 2023), with CLadder's meaning of ``fork`` (two independent causes of Y); any user DAG
over binary variables can be wrapped with :meth:`GraphTemplate.custom`.

CPTs are drawn as whole percentages in ``PROB_RANGE`` (two decimals, as CLadder's texts print them, and away
from 0 and 1 so that every conditional exists). An *additive* template draws its outcome's probability as a
linear function of its parents: that is what makes the instrumental-variable (Wald) ratio equal the average
effect, so IV questions stay answerable from the observed numbers.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from causalbridge.errors import GraphError, InputError
from causalbridge.graph import CausalGraph

#: CPT entries are whole percentages in this closed range.
PROB_RANGE: tuple[int, int] = (5, 95)
#: Templates larger than this are refused: every model's joint table is held in memory (2**n entries).
MAX_NODES = 10


@dataclass(frozen=True)
class GraphTemplate:
    """A DAG over binary variables with the roles a ladder question refers to."""

    name: str
    graph: CausalGraph
    treatment: str = "X"
    outcome: str = "Y"
    mediator: str | None = None
    collider: str | None = None
    instrument: str | None = None
    latent: tuple[str, ...] = ()
    additive: bool = False

    def __post_init__(self) -> None:
        where = f"template {self.name!r}"
        if not isinstance(self.graph, CausalGraph):
            raise InputError(f"graph must be a CausalGraph, got {type(self.graph).__name__}", where=where)
        self.graph.require_dag(where=where)
        if len(self.graph.nodes) > MAX_NODES:
            raise InputError(f"at most {MAX_NODES} variables, got {len(self.graph.nodes)}", where=where)
        latent = tuple(self.latent)
        object.__setattr__(self, "latent", latent)
        for role in ("treatment", "outcome", "mediator", "collider", "instrument"):
            node = getattr(self, role)
            if node is None:
                continue
            if node not in self.graph:
                raise GraphError(f"the {role} {node!r} is not a node of the graph", where=where)
            if node in latent:
                raise InputError(f"the {role} {node!r} cannot be latent", where=where)
        for node in latent:
            if node not in self.graph:
                raise GraphError(f"the latent variable {node!r} is not a node of the graph", where=where)
        roles = [r for r in (self.treatment, self.outcome, self.mediator, self.collider, self.instrument) if r]
        if len(set(roles)) != len(roles):
            raise InputError(f"roles must be different variables, got {roles}", where=where)
        if self.additive and self.treatment not in self.graph.parents(self.outcome):
            raise InputError("an additive outcome needs the treatment as a direct cause", where=where)

    @classmethod
    def custom(
        cls,
        graph: CausalGraph,
        treatment: str,
        outcome: str,
        *,
        mediator: str | None = None,
        collider: str | None = None,
        instrument: str | None = None,
        latent: tuple[str, ...] = (),
        additive: bool = False,
        name: str = "user",
    ) -> GraphTemplate:
        """Wrap a user DAG: every node is a binary variable; questions are about ``treatment`` -> ``outcome``."""
        return cls(name, graph, treatment, outcome, mediator, collider, instrument, tuple(latent), additive)

    @property
    def observed(self) -> tuple[str, ...]:
        return tuple(v for v in self.graph.nodes if v not in self.latent)

    def parents(self, node: str) -> tuple[str, ...]:
        """``node``'s parents in graph node order: the axis order of its CPT (and of ``meta["cpts"]``)."""
        ps = self.graph.parents(node)
        return tuple(v for v in self.graph.nodes if v in ps)

    def edges(self) -> tuple[tuple[str, str], ...]:
        return tuple(self.graph.directed_edges)


def _template(name: str, edges: list[tuple[str, str]], nodes: list[str], **roles: object) -> GraphTemplate:
    return GraphTemplate(name, CausalGraph.dag(edges, nodes=nodes), **roles)  # type: ignore[arg-type]


#: The built-in templates, by name. Node symbols: X treatment, Y outcome, M mediator, Z a third observed
#: variable (confounder, second cause or instrument), C collider, U latent confounder, A/B the diamond's paths.
TEMPLATES: MappingProxyType[str, GraphTemplate] = MappingProxyType(
    {
        t.name: t
        for t in (
            _template("chain", [("X", "M"), ("M", "Y")], ["X", "M", "Y"], mediator="M"),
            _template("fork", [("X", "Y"), ("Z", "Y")], ["X", "Z", "Y"]),
            _template("collider", [("X", "C"), ("Y", "C")], ["X", "Y", "C"], collider="C"),
            _template("confounding", [("Z", "X"), ("Z", "Y"), ("X", "Y")], ["Z", "X", "Y"]),
            _template("mediation", [("X", "M"), ("X", "Y"), ("M", "Y")], ["X", "M", "Y"], mediator="M"),
            _template(
                "instrument",
                [("Z", "X"), ("U", "X"), ("U", "Y"), ("X", "Y")],
                ["Z", "U", "X", "Y"],
                instrument="Z",
                latent=("U",),
                additive=True,
            ),
            _template(
                "frontdoor",
                [("U", "X"), ("U", "Y"), ("X", "M"), ("M", "Y")],
                ["U", "X", "M", "Y"],
                mediator="M",
                latent=("U",),
            ),
            _template("diamond", [("X", "A"), ("X", "B"), ("A", "Y"), ("B", "Y")], ["X", "A", "B", "Y"], mediator="A"),
        )
    }
)


def resolve(template: str | GraphTemplate) -> GraphTemplate:
    """A built-in template by name, or a user template as is."""
    if isinstance(template, GraphTemplate):
        return template
    if isinstance(template, str) and template in TEMPLATES:
        return TEMPLATES[template]
    raise InputError(f"unknown template {template!r} (known: {', '.join(TEMPLATES)})", where="templates")


def _percent(rng: np.random.Generator, size: int) -> np.ndarray:
    lo, hi = PROB_RANGE
    return rng.integers(lo, hi + 1, size=size) / 100.0


def _additive(rng: np.random.Generator, k: int) -> np.ndarray:
    """P(V=1 | parents) = a + sum_j b_j * parent_j with every entry a whole percentage in ``PROB_RANGE``."""
    lo, hi = PROB_RANGE
    configs = np.array(list(itertools.product((0, 1), repeat=k)), dtype=np.int64)
    while True:  # about one draw in four lands inside the range for two parents
        base = int(rng.integers(lo, hi + 1))
        slopes = rng.integers(lo - hi, hi - lo + 1, size=k)
        table = base + configs @ slopes
        if table.min() >= lo and table.max() <= hi:
            return (table / 100.0).reshape((2,) * k)


def draw_cpts(template: GraphTemplate, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """P(V=1 | parents) per variable, axes in :meth:`GraphTemplate.parents` order (shape ``(2,) * k``)."""
    out: dict[str, np.ndarray] = {}
    for v in template.graph.nodes:
        k = len(template.parents(v))
        if template.additive and v == template.outcome:
            out[v] = _additive(rng, k)
        else:
            out[v] = _percent(rng, 2**k).reshape((2,) * k)
    return out
