"""Markov equivalence: v-structures, Meek's orientation rules, the CPDAG of a DAG, DAG extensions of a PDAG.

Two DAGs are Markov equivalent iff they share skeleton and v-structures (Verma & Pearl 1990). The CPDAG of a DAG
is its skeleton with the v-structures oriented, closed under Meek's rules R1-R4 (Meek 1995); its directed edges
are exactly those every DAG in the class shares.
"""

from __future__ import annotations

from collections.abc import Iterator

from causalbridge.errors import GraphError
from causalbridge.graph.core import CausalGraph, Edge


def v_structures(g: CausalGraph) -> list[tuple[str, str, str]]:
    """Unshielded colliders ``a -> c <- b`` as sorted triples ``(a, c, b)`` with ``a < b``."""
    out: list[tuple[str, str, str]] = []
    for c in g.nodes:
        pa = sorted(g.parents(c))
        for i, a in enumerate(pa):
            for b in pa[i + 1 :]:
                if not g.is_adjacent(a, b):
                    out.append((a, c, b))
    return sorted(out)


def _require_pdag(g: CausalGraph, what: str) -> None:
    bad = [e for e in g.edges if not (e.is_directed or e.is_undirected)]
    if bad:
        raise GraphError(f"{what} needs directed and undirected edges only, but found {bad[0]}")


def apply_meek(pdag: CausalGraph) -> CausalGraph:
    """Close a PDAG under Meek's rules R1-R4: orient every undirected edge whose direction is implied.

    R1  a -> b - c, a, c non-adjacent              =>  b -> c   (else a new v-structure)
    R2  a -> c -> b, a - b                          =>  a -> b   (else a cycle)
    R3  a - c -> b, a - d -> b, a - b, c, d non-adj =>  a -> b
    R4  a - d -> c -> b, a - b, a adj c, d, b non-adj => a -> b
    """
    _require_pdag(pdag, "Meek's rules")
    g = pdag
    changed = True
    while changed:
        changed = False
        for u, v in g.undirected_edges:
            for a, b in ((u, v), (v, u)):
                if _meek_implies(g, a, b):
                    g = g.orient(a, b)
                    changed = True
                    break
            if changed:
                break
    return g


def _meek_implies(g: CausalGraph, a: str, b: str) -> bool:
    """Whether one of R1-R4 orients the undirected edge ``a - b`` as ``a -> b``."""
    # R1: some c -> a with c not adjacent to b.
    if any(not g.is_adjacent(c, b) for c in g.parents(a)):
        return True
    # R2: a -> c -> b.
    if g.children(a) & g.parents(b):
        return True
    # R3: two non-adjacent c, d with a - c -> b and a - d -> b.
    mids = sorted(g.neighbors(a) & g.parents(b))
    for i, c in enumerate(mids):
        for d in mids[i + 1 :]:
            if not g.is_adjacent(c, d):
                return True
    # R4: a - d -> c -> b with a adjacent to c and d not adjacent to b.
    for c in g.parents(b):
        if not g.is_adjacent(a, c):
            continue
        for d in g.parents(c):
            if d in g.neighbors(a) and not g.is_adjacent(d, b):
                return True
    return False


def cpdag(g: CausalGraph) -> CausalGraph:
    """The CPDAG (essential graph) of a DAG, or of the class of a consistent PDAG.

    For a PDAG the CPDAG of one of its DAG extensions is returned, so ``cpdag(cpdag(G)) == cpdag(G)``.
    """
    _require_pdag(g, "cpdag()")
    dag = g if g.is_dag else dag_extension(g)
    vs = v_structures(dag)
    directed = {(a, c) for a, c, _ in vs} | {(b, c) for _, c, b in vs}
    edges = [Edge.directed(u, v) if (u, v) in directed else Edge.undirected(u, v) for u, v in dag.directed_edges]
    return apply_meek(CausalGraph(dag.nodes, edges))


def markov_equivalent(g1: CausalGraph, g2: CausalGraph) -> bool:
    """True when two DAGs (or PDAGs, via their CPDAGs) entail the same d-separations."""
    if set(g1.nodes) != set(g2.nodes):
        return False
    if g1.is_dag and g2.is_dag:
        return g1.skeleton() == g2.skeleton() and v_structures(g1) == v_structures(g2)
    return cpdag(g1) == cpdag(g2)


def dag_extension(pdag: CausalGraph) -> CausalGraph:
    """A DAG that keeps every directed edge of ``pdag``, orients its undirected ones and adds no v-structure.

    Dor & Tarsi (1992): repeatedly take a node that is a sink among the remaining directed edges and whose
    undirected neighbours are adjacent to all its other neighbours, point its undirected edges into it, remove it.
    Raises :class:`GraphError` when no such DAG exists.
    """
    _require_pdag(pdag, "dag_extension()")
    if pdag.find_cycle() is not None:
        raise GraphError("the PDAG has a directed cycle, so no DAG extends it")
    remaining = set(pdag.nodes)
    oriented: list[Edge] = [Edge.directed(u, v) for u, v in pdag.directed_edges]
    work = pdag
    while remaining:
        for x in pdag.nodes:
            if x not in remaining:
                continue
            if any(c in remaining for c in work.children(x)):
                continue
            adj = {n for n in work.adjacent(x) if n in remaining}
            nbrs = {n for n in work.neighbors(x) if n in remaining}
            if all(all(work.is_adjacent(y, w) for w in adj - {y}) for y in nbrs):
                oriented.extend(Edge.directed(y, x) for y in sorted(nbrs))
                remaining.discard(x)
                break
        else:
            raise GraphError("the PDAG admits no consistent DAG extension (it would need a new v-structure or cycle)")
    return CausalGraph(pdag.nodes, oriented)


def enumerate_dags(g: CausalGraph, limit: int = 10_000) -> Iterator[CausalGraph]:
    """Every DAG in the Markov equivalence class of a CPDAG (or of a DAG), at most ``limit`` of them.

    Backtracking: orient one undirected edge each way, close under Meek's rules, recurse. Each leaf is checked to
    be acyclic with the class's v-structures, so the output is exactly the class, each DAG once.
    """
    start = cpdag(g) if g.is_dag else apply_meek(g)
    target_vs = v_structures(dag_extension(start))
    skeleton = start.skeleton()
    count = 0

    def walk(p: CausalGraph) -> Iterator[CausalGraph]:
        nonlocal count
        if count >= limit:
            return
        und = p.undirected_edges
        if not und:
            if p.find_cycle() is None and v_structures(p) == target_vs and p.skeleton() == skeleton:
                count += 1
                yield p
            return
        u, v = und[0]
        for a, b in ((u, v), (v, u)):
            nxt = p.orient(a, b)
            if nxt.find_cycle() is not None:
                continue
            yield from walk(apply_meek(nxt))

    yield from walk(start)
