"""``causalbridge estimate``: identify, estimate and refute the effect of a treatment on an outcome.

Example: causalbridge estimate data.csv --treatment smoker --outcome fev --graph graph.dot --estimators ols,ipw

Without ``--graph`` the graph is proposed from the variables' roles: ``--llm SPEC`` asks a model the role of every
variable (from the ``--describe`` descriptions) and ``--roles ROLES.yaml`` overrides roles and edges.
"""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from causalbridge.cli.console import EXIT_PROBLEM, err, finish, out, verbosity
from causalbridge.cli.options import AsJson, CacheDir, MissingCells, NoCache, llm_help, missing_policy
from causalbridge.errors import GraphError, InputError
from causalbridge.graph import CausalGraph, Edge

if TYPE_CHECKING:
    from causalbridge.effect import EffectResult
    from causalbridge.effect.roles import RoleTable

_EDGE_KINDS = {"->": "directed", "<->": "bidirected", "--": "undirected"}


def read_graph_file(path: Path) -> CausalGraph:
    """A graph from a DOT file (``.dot``/``.gv``) or an edge-list CSV with a ``source,target`` header.

    The CSV may have a third column ``edge`` holding ``->`` (default), ``<->`` (latent confounding) or ``--``.
    """
    if not path.is_file():
        raise InputError("graph file not found", where=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the graph file: {exc}", where=str(path)) from None
    if path.suffix.lower() in (".dot", ".gv"):
        try:
            return CausalGraph.from_dot(text)
        except InputError as exc:
            raise _located(exc, f"{path}:{exc.where}" if exc.where else str(path)) from None
    return _edge_list(text, path)


def _located(exc: InputError, where: str) -> InputError:
    """The same kind of error (graph or input), now naming the file."""
    return GraphError(exc.detail, where=where) if isinstance(exc, GraphError) else InputError(exc.detail, where=where)


def _edge_list(text: str, path: Path) -> CausalGraph:
    first = text.strip().splitlines()[0] if text.strip() else ""
    dialect = "excel-tab" if "\t" in first else "excel"
    rows = [(i, [c.strip() for c in row]) for i, row in enumerate(csv.reader(io.StringIO(text), dialect), 1)]
    rows = [(i, row) for i, row in rows if any(row)]
    if not rows:
        raise InputError("the edge list is empty", where=str(path))
    header = [h.lower() for h in rows[0][1]]
    if header[:2] != ["source", "target"] or len(header) > 3 or (len(header) == 3 and header[2] != "edge"):
        raise InputError(
            f"expected the header 'source,target' or 'source,target,edge', got {','.join(rows[0][1])!r}",
            where=f"{path}:1",
        )
    nodes: dict[str, None] = {}
    edges: list[Edge] = []
    for line, row in rows[1:]:
        if len(row) < 2 or len(row) > len(header) or not row[0] or not row[1]:
            raise InputError(f"expected {','.join(header)}, got {','.join(row)!r}", where=f"{path}:{line}")
        kind = row[2] if len(row) == 3 and row[2] else "->"
        if kind not in _EDGE_KINDS:
            raise InputError(f"unknown edge type {kind!r} (use ->, <-> or --)", where=f"{path}:{line}")
        a, b = row[0], row[1]
        nodes.update({a: None, b: None})
        factory = {"->": Edge.directed, "<->": Edge.bidirected, "--": Edge.undirected}[kind]
        edges.append(factory(a, b))
    try:
        return CausalGraph(list(nodes), edges)
    except InputError as exc:
        raise _located(exc, str(path)) from None


def estimate_command(
    data: Annotated[Path, typer.Argument(help="Data file (CSV, TSV or parquet).")],
    treatment: Annotated[str, typer.Option("--treatment", "-t", help="The treatment column.")],
    outcome: Annotated[str, typer.Option("--outcome", "-y", help="The outcome column.")],
    graph: Annotated[
        Path | None,
        typer.Option(
            "--graph",
            "-g",
            help="Causal graph: a DOT file or an edge-list CSV (source,target[,edge]). "
            "Default: proposed from the roles (--llm / --roles).",
        ),
    ] = None,
    describe: Annotated[
        Path | None, typer.Option("--describe", help="Variable descriptions (YAML/JSON) for the data.")
    ] = None,
    missing: MissingCells = "error",
    estimators: Annotated[
        str, typer.Option("--estimators", "-e", help="Comma-separated: ols, ipw, aipw, dml.")
    ] = "ols,ipw,aipw",
    adjust: Annotated[
        str | None,
        typer.Option("--adjust", help="Comma-separated adjustment set to use instead of the optimal one."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for cross-fitting, bootstraps and refutations.")] = 0,
    out_path: Annotated[Path | None, typer.Option("--out", "-o", help="Also write the result as JSON here.")] = None,
    as_json: AsJson = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit with code 1 when a refutation warns.")] = False,
    no_refute: Annotated[bool, typer.Option("--no-refute", help="Skip refutations and sensitivity.")] = False,
    llm: Annotated[str | None, typer.Option("--llm", help=llm_help("The model suggests each variable's role."))] = None,
    roles_file: Annotated[
        Path | None,
        typer.Option("--roles", help="YAML file of roles and edges that override the model's (roles:, edges:)."),
    ] = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
) -> None:
    """Identify the effect on the graph, estimate it with each estimator, and refute it.

    Graph variables that are not data columns are treated as latent. Without --graph, the graph is proposed
    from the variables' roles (--llm and/or --roles). Exit code 1 when the effect is not identifiable, or with
    --strict when a refutation warns.

    Example: causalbridge estimate data.csv -t smoker -y fev --graph graph.dot -e ols,ipw --seed 0 --out effect.json
    """
    from causalbridge.data import read_dataset
    from causalbridge.effect import EffectWarning, estimate_effect, parse_estimators
    from causalbridge.effect.roles import read_role_overrides, suggest_roles

    names = parse_estimators(estimators)
    if graph is None and llm is None and roles_file is None:
        raise InputError("give a causal graph, or --llm SPEC (and/or --roles FILE) to propose one", where="--graph")
    overrides = read_role_overrides(roles_file) if roles_file is not None else None
    causal_graph = read_graph_file(graph) if graph is not None else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dataset = read_dataset(data, describe, missing=missing_policy(missing))
    for message in dict.fromkeys(str(w.message) for w in caught):  # reading warnings, once each, on stderr
        err.print(f"[yellow]warning:[/] {escape(message)}", soft_wrap=True)
    table = None
    backend = None
    if llm is not None or overrides is not None:
        if llm is not None:
            from causalbridge.llm import make_backend

            backend = make_backend(llm, cache_dir=cache_dir, no_cache=no_cache)
        table = suggest_roles(dataset, treatment, outcome, backend, overrides=overrides)
    adjust_set = [a.strip() for a in adjust.split(",") if a.strip()] if adjust is not None else None
    with warnings.catch_warnings():
        # Everything warned about is in the result (printed below), so Python's own warning lines are noise.
        warnings.simplefilter("ignore", EffectWarning)
        result = estimate_effect(
            dataset,
            causal_graph,
            treatment,
            outcome,
            names,
            adjust=adjust_set,
            roles=table,
            refute=not no_refute,
            sensitivity=not no_refute,
            seed=seed,
            quiet=as_json or verbosity.level < 0,
        )
    if out_path is not None:
        try:
            out_path.write_text(result.to_json() + "\n", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write the result: {exc}", where=str(out_path)) from None
    if as_json:
        typer.echo(result.to_json())
    else:
        _print_tables(result)
    usage = table.usage if backend is not None and table is not None else None
    written = [out_path] if out_path is not None else []
    finish(usage, written, model=backend.name if backend is not None else None, to_stderr=as_json)
    if not result.identification.identified or (strict and not result.refutations_passed):
        raise typer.Exit(EXIT_PROBLEM)


def _print_roles(table: RoleTable, graph_source: str) -> None:
    simulated = " — [bold yellow]SIMULATED expert, not a language model[/]" if table.simulated else ""
    roles = Table(
        "variable",
        "role",
        "p",
        "from",
        "rationale / note",
        "bad control",
        title=f"Roles suggested by {escape(table.model)}{simulated}",
        title_justify="left",
    )
    for row in table.roles:
        prob = "—" if row.probability is None else f"{row.probability:.2f}"
        said = f" (model: {row.llm_role})" if row.llm_role is not None and row.llm_role != row.role else ""
        text = "; ".join(t for t in (row.rationale, row.note) if t) or "—"
        colour = "red" if row.is_unknown else ("cyan" if row.provenance == "user" else "")
        role = f"[{colour}]{escape(row.role)}[/]" if colour else escape(row.role)
        roles.add_row(
            escape(row.variable), role + escape(said), prob, row.provenance, escape(text), escape(row.bad_control or "")
        )
    out.print(roles)
    if graph_source == "roles":
        shown = ", ".join(f"{e.source} {e.kind} {e.target}" + _by_user(e.provenance) for e in table.edges)
        out.print(f"Graph proposed from the roles: {escape(shown)}")


def _by_user(provenance: str) -> str:
    return " (user)" if provenance == "user" else ""


def _print_tables(result: EffectResult) -> None:
    ident = result.identification
    out.print(f"[bold]Effect of {escape(result.treatment)} on {escape(result.outcome)}[/] (n = {result.n})")
    if result.roles is not None:
        _print_roles(result.roles, result.graph_source)
    out.print(f"Identification: [bold]{ident.kind.value}[/] — {escape(ident.estimand)}")
    if not ident.identified:
        out.print(f"[red]{escape(ident.reason)}[/]")
    sets = Table("set", "variables", title="Adjustment", title_justify="left")
    for label, value in (
        ("used", result.adjustment_set),
        ("minimal", ident.minimal_set),
        ("optimal", ident.optimal_set),
        ("frontdoor", ident.frontdoor_set),
    ):
        if value is not None:
            shown = "{" + ", ".join(value) + "}"
            sets.add_row(f"{label} ({result.adjustment_source})" if label == "used" else label, escape(shown))
    if ident.instruments:
        sets.add_row("instruments", escape(", ".join(i.variable for i in ident.instruments)))
    out.print(sets)
    if ident.bad_controls:
        bad = Table("variable", "do not adjust: why", title="Bad controls", title_justify="left")
        for b in ident.bad_controls:
            bad.add_row(escape(b.variable), escape(f"{b.kind}: {b.reason}"))
        out.print(bad)
    if result.estimates:
        table = Table(
            "estimator",
            "estimate",
            "95% interval",
            "std. error",
            "n",
            "method",
            title="Estimates",
            title_justify="left",
        )
        for name, est in result.estimates:
            interval = escape(f"[{est.ci_low:.4g}, {est.ci_high:.4g}]")
            table.add_row(name, f"{est.value:.4g}", interval, f"{est.std_error:.3g}", str(est.n), escape(est.method))
        out.print(table)
        for name, est in result.estimates:
            for note in est.notes:
                out.print(f"  [dim]{escape(name)}: {escape(note)}[/]")
    checks = [*result.refutations, *([result.sensitivity] if result.sensitivity is not None else [])]
    if checks:
        primary = result.primary[0] if result.primary else ""
        table = Table("check", "verdict", "explanation", title=f"Refutations of {primary}", title_justify="left")
        for r in checks:
            colour = "green" if r.passed else "yellow"
            table.add_row(r.name, f"[{colour}]{r.verdict}[/]", escape(r.explanation))
        out.print(table)
    for w in result.warnings:
        out.print(f"[yellow]warning:[/] {escape(w)}")
