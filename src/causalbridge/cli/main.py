"""``causalbridge``: the root command. Each subcommand lives in its own module and is mounted here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from causalbridge import __version__
from causalbridge.cli import bench, config, counterfactual, discover, estimate, models, networks, probe, query, report
from causalbridge.cli.console import out, run_guarded, verbosity
from causalbridge.cli.demo import demo_command

app = typer.Typer(
    name="causalbridge",
    help="LLMs and causal inference, in both directions.\n\n"
    "Example: causalbridge demo    ·    causalbridge query asia --target dysp --do smoke=yes\n\n"
    "Option defaults come from a TOML file: --config PATH, else $CAUSALBRIDGE_CONFIG, else ./causalbridge.toml, "
    "else ~/.config/causalbridge/config.toml (see the README).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        out.print(f"causalbridge {__version__}")
        raise typer.Exit()


def _config(ctx: typer.Context, value: Path | None) -> Path | None:
    # eager, so the file's defaults are in ctx.default_map before any other option (or subcommand) is resolved
    return None if ctx.resilient_parsing else config.apply_config(ctx, value)


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks for errors.")] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print only results and errors (no progress bars, notes or usage lines)."),
    ] = False,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config",
            envvar=config.ENV_VAR,
            callback=_config,
            is_eager=True,
            help="TOML file of option defaults; default ./causalbridge.toml, then ~/.config/causalbridge/config.toml.",
        ),
    ] = None,
) -> None:
    """LLMs and causal inference, in both directions."""
    verbosity.level = 1 if verbose else (-1 if quiet else 0)


app.add_typer(networks.app, name="networks")
app.add_typer(models.app, name="models")
app.add_typer(probe.app, name="probe")
app.add_typer(bench.app, name="bench")
app.command("discover")(discover.discover_command)
app.command("counterfactual")(counterfactual.counterfactual_command)
app.command("query")(query.query_command)
app.command("estimate")(estimate.estimate_command)
app.command("report")(report.report_command)
app.command("demo")(demo_command)


def main() -> None:
    run_guarded(app)
