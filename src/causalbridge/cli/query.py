"""``causalbridge query``: exact observational, interventional and counterfactual queries on a bundled network."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from causalbridge.cli.console import out
from causalbridge.cli.options import AsJson
from causalbridge.cli.parsing import parse_assignments


def query_command(
    network: Annotated[str, typer.Argument(help="A bundled network (see `causalbridge networks list`).")],
    target: Annotated[str, typer.Option("--target", "-t", help="The variable whose distribution you want.")],
    given: Annotated[list[str] | None, typer.Option("--given", "-g", help="Evidence VAR=STATE (repeatable).")] = None,
    do: Annotated[list[str] | None, typer.Option("--do", help="Intervention VAR=STATE (repeatable).")] = None,
    counterfactual: Annotated[
        bool,
        typer.Option(
            "--counterfactual",
            help="Read --given as the factual world and --do as the counterfactual intervention: P(target_do | given).",
        ),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Exact P(target | given), P(target | do, given) or, with --counterfactual, P(target_do | given).

    Example: causalbridge query asia --target dysp --do smoke=yes --given dysp=yes --counterfactual
    """
    from causalbridge.data import load_network
    from causalbridge.errors import InputError

    evidence = parse_assignments(given, "--given")
    intervention = parse_assignments(do, "--do")
    scm = load_network(network).scm
    if counterfactual:
        if not intervention:
            raise InputError("--counterfactual needs at least one --do", where="--do")
        dist = scm.counterfactual([target], intervention, evidence)
        label = f"P({target}_{{{_fmt(intervention)}}} | {_fmt(evidence)})"
    elif intervention:
        dist = scm.interventional([target], intervention, evidence or None)
        label = f"P({target} | do({_fmt(intervention)}){', ' + _fmt(evidence) if evidence else ''})"
    else:
        dist = scm.query([target], evidence or None)
        label = f"P({target}{' | ' + _fmt(evidence) if evidence else ''})"
    probs = {state: dist.prob({target: state}) for state in scm.states[target]}
    if as_json:
        out.print_json(json.dumps({"query": label, "network": network, "probabilities": probs}))
        return
    table = Table("state", "probability", title=label)
    for state, p in probs.items():
        table.add_row(state, f"{p:.6f}")
    out.print(table)


def _fmt(assignment: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in assignment.items())
