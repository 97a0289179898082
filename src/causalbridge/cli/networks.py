"""``causalbridge networks``: the bundled benchmark networks, their variables and descriptions."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from causalbridge.cli.console import out

app = typer.Typer(
    help="Bundled benchmark networks (bnlearn). Example: causalbridge networks show asia", no_args_is_help=True
)


@app.command("list")
def list_command() -> None:
    """List the bundled networks with their size and domain.

    Example: causalbridge networks list
    """
    from causalbridge.data import list_networks, load_network

    table = Table("network", "variables", "edges", "domain")
    for name in list_networks():
        net = load_network(name)
        table.add_row(name, str(len(net.graph.nodes)), str(len(net.graph.edges)), net.domain)
    out.print(table)


@app.command("show")
def show_command(
    name: Annotated[str, typer.Argument(help="Network name, e.g. asia.")],
    dot: Annotated[bool, typer.Option("--dot", help="Print the graph as DOT instead of a table.")] = False,
) -> None:
    """Show a network's variables, states, descriptions and edges.

    Example: causalbridge networks show sachs --dot
    """
    from causalbridge.data import load_network

    net = load_network(name)
    if dot:
        out.print(net.graph.to_dot(name), markup=False, soft_wrap=True)
        return
    table = Table("variable", "states", "parents", "description", title=f"{name}: {net.domain}")
    for v in net.variables:
        table.add_row(v.name, ", ".join(v.states or ()), ", ".join(sorted(net.graph.parents(v.name))), v.description)
    out.print(table)
