"""Correlation-to-causation questions in the spirit of Corr2Cause (Jin et al., ICLR 2024).

From a random DAG over ``n`` variables we state every (in)dependence it implies, in Corr2Cause's own wording:
each pair that is marginally dependent "correlates", then every pair and conditioning set that d-separates it
("A and B are independent given C"). Whatever is not listed is dependent. We then ask whether a causal
hypothesis about two variables *necessarily* follows. The label is "yes" iff the hypothesis holds in every DAG
of the Markov equivalence class that the statements determine, so it depends on the premise only, never on
which member of the class was drawn.

The premise assumes **causal sufficiency** (a "closed system": no hidden common causes of the listed variables)
and faithfulness (every dependence not ruled out is real); under weaker assumptions (latent confounders) fewer
hypotheses would follow, and these labels would not apply.

Hypotheses, about a pair ``(a, b)`` (node order), with Corr2Cause's meaning, checked against its published
sample (see the tests):

* ``parent`` "a directly causes b": the edge a -> b. ``child``: b -> a.
* ``non-parent ancestor`` "a causes something else which causes b": a directed path a -> m -> ... -> b through
  at least one mediator (a may *also* be a parent). ``non-child descendant``: the same from b to a.
* ``has_confounder``: a common cause c, with directed paths c ~> a and c ~> b that share only c (a cause of
  a that reaches b only through a does not count).
* ``has_collider``: a common effect c, with directed paths a ~> c and b ~> c that share only c.
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from causalbridge.bench.items import YES_NO, BenchDataset, BenchItem, Meta
from causalbridge.bench.load.corr2cause import (
    TEMPLATE_TEXT,
    TEMPLATES,
    Corr2CausePremise,
    join_names,
    parse_hypothesis,
)
from causalbridge.errors import GraphError, InputError
from causalbridge.graph import CausalGraph, cpdag, enumerate_dags

MAX_VARS = 8
SYMMETRIC = frozenset({"has_confounder", "has_collider"})


def _reach(start: str, step: Callable[[str], frozenset[str]], avoid: str) -> set[str]:
    """Nodes reachable from ``start`` by ``step`` without passing through ``avoid`` (``start`` excluded)."""
    seen: set[str] = set()
    frontier = [start]
    while frontier:
        for nxt in step(frontier.pop()):
            if nxt != avoid and nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    seen.discard(start)
    return seen


def _mediated(g: CausalGraph, a: str, b: str) -> bool:
    return any(a in g.ancestors(m) for m in g.parents(b) - {a})


def relation_holds(dag: CausalGraph, template: str, a: str, b: str) -> bool:
    """Whether the hypothesis ``template`` about ``(a, b)`` is true of this one DAG."""
    if template == "parent":
        return dag.has_edge(a, b)
    if template == "child":
        return dag.has_edge(b, a)
    if template == "non-parent ancestor":
        return _mediated(dag, a, b)
    if template == "non-child descendant":
        return _mediated(dag, b, a)
    if template == "has_confounder":
        return bool(_reach(a, dag.parents, b) & _reach(b, dag.parents, a))
    if template == "has_collider":
        return bool(_reach(a, dag.children, b) & _reach(b, dag.children, a))
    raise InputError(f"unknown template {template!r} (known: {', '.join(TEMPLATES)})")


def hypothesis_text(template: str, a: str, b: str) -> str:
    if template not in TEMPLATE_TEXT:
        raise InputError(f"unknown template {template!r} (known: {', '.join(TEMPLATES)})")
    return TEMPLATE_TEXT[template].format(a=a, b=b)


def independence_facts(
    dag: CausalGraph,
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str, tuple[str, ...]], ...]]:
    """``(correlated pairs, independences)`` implied by d-separation in ``dag``, both in node order.

    An independence is ``(a, b, conditioning set)``; every pair is tested given every subset of the others.
    """
    nodes = dag.nodes
    corrs: list[tuple[str, str]] = []
    indeps: list[tuple[str, str, tuple[str, ...]]] = []
    for a, b in itertools.combinations(nodes, 2):
        rest = [n for n in nodes if n not in (a, b)]
        subsets = [s for k in range(len(rest) + 1) for s in itertools.combinations(rest, k)]
        separated = [s for s in subsets if dag.d_separated(a, b, s)]
        if () not in separated:
            corrs.append((a, b))
        # Corr2Cause lists a pair's conditioning sets in lexicographic order of their (sorted) names
        indeps.extend((a, b, s) for s in sorted(separated, key=lambda s: [nodes.index(n) for n in s]))
    return tuple(corrs), tuple(indeps)


def premise_text(dag: CausalGraph) -> str:
    """The premise in Corr2Cause's wording (without the leading ``Premise:``)."""
    n = len(dag.nodes)
    corrs, indeps = independence_facts(dag)
    head = (
        f"Suppose there is a closed system of {n} variables, {join_names(dag.nodes)}. "
        f"All the statistical relations among these {n} variables are as follows:"
    )
    corr_part = " ".join(f"{a} correlates with {b}." for a, b in corrs)
    ind_part = " ".join(
        f"{a} and {b} are independent given {join_names(s)}." if s else f"{a} is independent of {b}."
        for a, b, s in indeps
    )
    body = f"{corr_part} However, {ind_part}" if corr_part and ind_part else corr_part or ind_part
    return f"{head} {body}".rstrip()


def cpdag_from_premise(premise: Corr2CausePremise) -> CausalGraph:
    """The equivalence class (as a CPDAG) that a premise's statements determine: PC with a perfect oracle.

    Two variables are adjacent iff no stated independence separates them; ``a - c - b`` with ``a, b``
    non-adjacent is a collider iff ``c`` is not in the set that separates ``a`` and ``b``; Meek's rules do
    the rest. Assumes causal sufficiency and faithfulness, as the premise does. Statements no DAG could
    imply raise :class:`GraphError`.
    """
    nodes = premise.variables
    sepset: dict[frozenset[str], frozenset[str]] = {}
    for pair, given in sorted(premise.independences, key=lambda f: (sorted(f[0]), len(f[1]), sorted(f[1]))):
        sepset.setdefault(pair, given)
    adjacent = [(a, b) for a, b in itertools.combinations(nodes, 2) if frozenset((a, b)) not in sepset]
    neighbours: dict[str, set[str]] = {v: set() for v in nodes}
    for a, b in adjacent:
        neighbours[a].add(b)
        neighbours[b].add(a)
    arrows: set[tuple[str, str]] = set()
    for c in nodes:
        for a, b in itertools.combinations(sorted(neighbours[c]), 2):
            if b not in neighbours[a] and c not in sepset[frozenset((a, b))]:
                arrows |= {(a, c), (b, c)}
    if any((v, u) in arrows for u, v in arrows):
        raise GraphError("the stated independences imply conflicting colliders: no DAG fits them")
    undirected = [(a, b) for a, b in adjacent if (a, b) not in arrows and (b, a) not in arrows]
    pdag = CausalGraph.from_edges(directed=sorted(arrows), undirected=undirected, nodes=nodes)
    return cpdag(pdag)


def necessarily_holds(cpdag_: CausalGraph, template: str, a: str, b: str, mec_limit: int = 1000) -> tuple[int, int]:
    """``(k, m)``: the hypothesis holds in ``k`` of the ``m`` DAGs of the class; it follows iff ``k == m``."""
    members = list(enumerate_dags(cpdag_, limit=mec_limit + 1))
    if len(members) > mec_limit:
        raise InputError(f"the equivalence class has more than mec_limit={mec_limit} DAGs", where="mec_limit")
    return sum(relation_holds(g, template, a, b) for g in members), len(members)


def random_dag(n_vars: int, edge_prob: float, rng: np.random.Generator, names: Sequence[str]) -> CausalGraph:
    """A DAG over ``names[:n_vars]``: a random causal order, each forward edge present with ``edge_prob``."""
    nodes = list(names[:n_vars])
    order = [nodes[i] for i in rng.permutation(n_vars)]
    edges = [(u, v) for i, u in enumerate(order) for v in order[i + 1 :] if rng.random() < edge_prob]
    return CausalGraph.dag(edges, nodes=nodes)


@dataclass(frozen=True, slots=True)
class _Class:
    """A premise and its equivalence class, computed once per class (every member states the same premise)."""

    premise: str
    cpdag: CausalGraph
    members: tuple[CausalGraph, ...]
    _support: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def support(self, template: str, a: str, b: str) -> int:
        """In how many member DAGs the hypothesis holds."""
        key = (template, a, b)
        if key not in self._support:
            self._support[key] = sum(relation_holds(g, template, a, b) for g in self.members)
        return self._support[key]


def _class_of(dag: CausalGraph, mec_limit: int, cache: dict[CausalGraph, _Class | None] | None = None) -> _Class | None:
    """The class of ``dag`` (``None`` when it has more than ``mec_limit`` members), memoised by CPDAG."""
    cpdag = dag.cpdag()
    if cache is not None and cpdag in cache:
        return cache[cpdag]
    members = tuple(enumerate_dags(cpdag, limit=mec_limit + 1))
    cls = _Class(premise_text(dag), cpdag, members) if len(members) <= mec_limit else None
    if cache is not None:
        cache[cpdag] = cls
    return cls


def _describe(g: CausalGraph) -> str:
    parts = [f"{u} -> {v}" for u, v in g.directed_edges] + [f"{u} - {v}" for u, v in g.undirected_edges]
    return ", ".join(parts) if parts else "no edges"


def make_item(
    dag: CausalGraph,
    template: str,
    a: str,
    b: str,
    item_id: str,
    *,
    dataset: str = "corr2cause-gen",
    mec_limit: int = 1000,
    naming: str = "symbolic",
) -> BenchItem:
    """One item: the premise ``dag`` implies, and whether ``template`` about ``(a, b)`` necessarily follows."""
    dag.require_dag()
    cls = _class_of(dag, mec_limit)
    if cls is None:
        raise InputError(f"the equivalence class has more than mec_limit={mec_limit} DAGs", where="mec_limit")
    return _build(dag, cls, template, a, b, item_id, dataset, naming)


def _build(
    dag: CausalGraph, cls: _Class, template: str, a: str, b: str, item_id: str, dataset: str, naming: str
) -> BenchItem:
    for v in (a, b):
        dag.index(v)
    if a == b:
        raise InputError(f"a hypothesis needs two different variables, got {a!r} twice")
    hypothesis = hypothesis_text(template, a, b)
    k, m = cls.support(template, a, b), len(cls.members)
    parsed = parse_hypothesis(hypothesis)
    verdict = "so it necessarily holds" if k == m else "so it does not necessarily hold"
    return BenchItem(
        id=item_id,
        dataset=dataset,
        question=f"Premise: {cls.premise}\nHypothesis: {hypothesis}",
        options=YES_NO,
        answer="yes" if k == m else "no",
        meta=Meta(
            template=template,
            n_vars=len(dag.nodes),
            pair=(a, b),
            hypothesis=hypothesis,
            relation=parsed[0] if parsed else None,
            graph=tuple(dag.directed_edges),
            cpdag_directed=tuple(cls.cpdag.directed_edges),
            cpdag_undirected=tuple(cls.cpdag.undirected_edges),
            class_size=m,
            holds_in=k,
            naming=naming,
        ),
        exact_value=k / m,
        derivation=(
            f"The statements determine the equivalence class with CPDAG {_describe(cls.cpdag)} ({m} DAG"
            f"{'s' if m > 1 else ''}). The hypothesis holds in {k} of {m}, {verdict}."
        ),
    )


def _n_range(n_vars: int | tuple[int, int]) -> tuple[int, int]:
    lo, hi = (n_vars, n_vars) if isinstance(n_vars, int) else n_vars
    if not 2 <= lo <= hi <= MAX_VARS:
        raise InputError(f"n_vars must lie in 2..{MAX_VARS} (lo <= hi), got {n_vars!r}", where="n_vars")
    return lo, hi


def _names(names: Sequence[str] | None, hi: int) -> tuple[tuple[str, ...], str]:
    if names is None:
        return tuple(string.ascii_uppercase[:hi]), "symbolic"
    clean = tuple(str(n).strip() for n in names)
    if len(clean) < hi or len(set(clean)) != len(clean) or not all(clean):
        raise InputError(f"need at least {hi} distinct non-empty names, got {list(names)!r}", where="names")
    return clean, "user"


def generate_corr2cause(
    n: int,
    *,
    seed: int,
    n_vars: int | tuple[int, int] = (3, 6),
    edge_prob: float = 0.5,
    names: Sequence[str] | None = None,
    templates: Iterable[str] = TEMPLATES,
    balanced: bool = False,
    mec_limit: int = 1000,
    dataset: str = "corr2cause-gen",
) -> BenchDataset:
    """``n`` distinct items, one per random DAG, reproducible from ``seed``.

    Each draw picks a variable count in ``n_vars``, a DAG, a pair and a template. ``names`` replaces the letters
    A, B, C, ... (a random subset, in the given order, per draw). Unbalanced, "yes" is rare: about one item
    in twelve at the defaults (Corr2Cause itself has 18.6%); ``balanced=True`` makes each item "yes" or "no"
    with equal chance (the draw is repeated until an item with the wanted label turns up). A DAG whose class
    has more than ``mec_limit`` members is redrawn (never for n <= 6, whose largest class has 720).
    """
    if n < 0:
        raise InputError(f"n must be >= 0, got {n}", where="n")
    if not 0.0 <= edge_prob <= 1.0:
        raise InputError(f"edge_prob must lie in [0, 1], got {edge_prob}", where="edge_prob")
    chosen = tuple(templates)
    unknown = [t for t in chosen if t not in TEMPLATE_TEXT]
    if unknown or not chosen:
        raise InputError(f"templates must be among {', '.join(TEMPLATES)}, got {list(chosen)!r}", where="templates")
    lo, hi = _n_range(n_vars)
    pool, naming = _names(names, hi)
    rng = np.random.default_rng(seed)
    classes: dict[CausalGraph, _Class | None] = {}
    seen: set[tuple[str, str, str, str]] = set()
    items: list[BenchItem] = []
    attempts, max_attempts = 0, 200 * n + 1000
    want: str | None = None  # the label the next item must have (balanced mode): fixed until an item is found
    while len(items) < n:
        attempts += 1
        if attempts > max_attempts:
            raise InputError(
                f"found only {len(items)} distinct items in {max_attempts} draws; "
                "allow more variables, templates or names, or ask for fewer items",
                where="n",
            )
        k = int(rng.integers(lo, hi + 1))
        picked = sorted(int(i) for i in rng.choice(len(pool), size=k, replace=False)) if naming == "user" else []
        dag = random_dag(k, edge_prob, rng, [pool[i] for i in picked] if picked else pool)
        cls = _class_of(dag, mec_limit, classes)
        if cls is None:
            continue
        if balanced and want is None:
            want = "yes" if rng.random() < 0.5 else "no"
        options = [
            (t, a, b)
            for a, b in itertools.combinations(dag.nodes, 2)
            for t in chosen
            if (cls.premise, t, a, b) not in seen
            and (want is None or (cls.support(t, a, b) == len(cls.members)) == (want == "yes"))
        ]
        if not options:
            continue
        t, a, b = options[int(rng.integers(len(options)))]
        seen.add((cls.premise, t, a, b))
        if t in SYMMETRIC and rng.random() < 0.5:
            a, b = b, a  # the wording names the pair in either order, as in Corr2Cause
        item_id = f"c2c-gen-{seed}-{len(items):05d}"
        items.append(_build(dag, cls, t, a, b, item_id, dataset, naming))
        want = None
    return BenchDataset(dataset, tuple(items), f"generated: generate_corr2cause(n={n}, seed={seed})")
