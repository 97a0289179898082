"""``causalbridge models``: which model specs can run on this machine, and a quick way to try one.

``list`` checks each kind without loading a model (is the package installed, the file present, the key set);
``try`` builds the backend from a spec, asks one question and prints the answer with its usage, so a user can
see a model work (and what it costs) before starting a study with it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from causalbridge.cli.console import finish, out
from causalbridge.cli.options import AsJson, CacheDir, NoCache
from causalbridge.errors import InputError
from causalbridge.llm import (
    Answer,
    Backend,
    CausalClaim,
    GenerationParams,
    Query,
    Relation,
    availability,
    make_backend,
    parse_spec,
    registered_kinds,
    run_sync,
)

app = typer.Typer(
    help="Language models: which can run here, and a quick try. "
    'Example: causalbridge models try local:smollm2 "Does smoking cause cancer?" --options yes,no',
    no_args_is_help=True,
)

_DIRECTION = {"a->b": Answer.A_TO_B, "b->a": Answer.B_TO_A, "none": Answer.NO_EDGE}


def hf_cached_models() -> list[str]:
    """Model ids in the local Hugging Face cache (usable as ``hf:<id>`` with no download)."""
    root = os.environ.get("HF_HUB_CACHE") or os.path.join(
        os.environ.get("HF_HOME") or os.path.join(Path.home(), ".cache", "huggingface"), "hub"
    )
    hub = Path(root)
    if not hub.is_dir():
        return []
    return sorted(p.name[len("models--") :].replace("--", "/") for p in hub.glob("models--*") if p.is_dir())


def _rows() -> list[dict[str, str | bool]]:
    rows: list[dict[str, str | bool]] = []
    for kind in registered_kinds():
        examples = [kind.example]
        if kind.kind == "hf":
            examples = [f"hf:{model}" for model in hf_cached_models()] or examples
        if kind.kind == "simulated":
            try:
                from causalbridge.data import list_networks

                examples = [f"simulated:{name}?accuracy=0.8&seed=0" for name in list_networks()[:3]] or examples
            except ImportError:
                pass
        for example in examples:
            reason = availability(example)
            if kind.kind == "replay" and reason and reason.startswith("no such file"):
                reason = "needs a file recorded with RecordingBackend"
            rows.append({"spec": example, "usable": reason is None, "why": reason or "", "what": kind.summary})
    return rows


@app.command("list")
def list_command(
    as_json: AsJson = False,
) -> None:
    """List the known model kinds and whether each can run here (packages, model files, API keys).

    Example: causalbridge models list --json
    """
    rows = _rows()
    if as_json:
        out.print_json(json.dumps(rows))
        return
    table = Table("spec", "usable here", "what it is")
    for row in rows:
        usable = "[green]yes[/]" if row["usable"] else f"[yellow]no[/]: {row['why']}"
        table.add_row(str(row["spec"]), usable, str(row["what"]))
    out.print(table)


def _claim(text: str | None, options: tuple[str, ...]) -> CausalClaim | None:
    """``causes:smoke,lung`` -> a yes/no claim over ``options`` (first = yes); ``edge_direction:a,b`` too."""
    if text is None:
        return None
    relation_text, _, names = text.partition(":")
    try:
        relation = Relation(relation_text.strip().lower())
    except ValueError:
        known = ", ".join(r.value for r in Relation)
        raise InputError(f"unknown relation {relation_text!r} (known: {known})", where="--claim") from None
    variables = tuple(n.strip() for n in names.split(",") if n.strip())
    if relation is Relation.EDGE_DIRECTION:
        return CausalClaim(relation, variables, tuple((o, _DIRECTION.get(o)) for o in options))
    if len(options) != 2:
        raise InputError("a yes/no claim needs exactly two --options (yes first)", where="--claim")
    return CausalClaim.yes_no(relation, *variables, yes=options[0], no=options[1])


@app.command("try")
def try_command(
    spec: Annotated[str, typer.Argument(help="Model spec, e.g. local:smollm2 or openai:gpt-4o-mini.")],
    prompt: Annotated[str, typer.Argument(help="The question to ask.")],
    options: Annotated[
        str | None, typer.Option("--options", help="Comma-separated options: ask with choose, e.g. yes,no.")
    ] = None,
    claim: Annotated[
        str | None,
        typer.Option("--claim", help="What the question means, for simulated experts: causes:smoke,lung"),
    ] = None,
    max_tokens: Annotated[int, typer.Option("--max-tokens", min=1, help="Longest reply.")] = 128,
    temperature: Annotated[float, typer.Option("--temperature", min=0.0, help="0 = greedy.")] = 0.0,
    seed: Annotated[int, typer.Option("--seed", help="Sampling seed (used when temperature > 0).")] = 0,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
    as_json: AsJson = False,
) -> None:
    """Ask one question and print the answer and its usage.

    Example: causalbridge models try local:smollm2 "Does smoking cause lung cancer?" --options yes,no
    """
    parse_spec(spec)  # a bad spec fails before anything loads
    option_list = tuple(o.strip() for o in options.split(",") if o.strip()) if options else ()
    if claim and not option_list:
        option_list = tuple(_DIRECTION) if claim.lower().startswith("edge_direction") else ("yes", "no")
    query = Query(prompt, about=_claim(claim, option_list))
    backend: Backend = make_backend(spec, cache_dir=cache_dir, no_cache=no_cache)
    result: dict[str, object]
    label = " [bold magenta](SIMULATED expert, not a language model)[/]" if backend.capabilities.is_simulation else ""
    if option_list:
        (choice,) = run_sync(backend.choose([query], option_list))
        usage, result = (
            choice.usage,
            {"options": choice.as_dict(), "method": choice.method, "abstained": choice.abstained},
        )
        if not as_json:
            out.print(f"[bold]{backend.name}[/]{label}", soft_wrap=True)
            table = Table("option", "probability")
            for option, prob in choice.as_dict().items():
                table.add_row(option, f"{prob:.3f}")
            out.print(table)
            out.print(f"method: {choice.method}" + (" · [yellow]abstained[/]" if choice.abstained else ""))
    else:
        params = GenerationParams(max_tokens=max_tokens, temperature=temperature, seed=seed)
        (completion,) = run_sync(backend.complete([query], params))
        usage, result = completion.usage, {"text": completion.text, "finish_reason": completion.finish_reason}
        if not as_json:
            out.print(f"[bold]{backend.name}[/]{label}", soft_wrap=True)
            out.print(completion.text, markup=False, soft_wrap=True)
    if as_json:
        payload = {"model": backend.name, "simulation": backend.capabilities.is_simulation, **result}
        out.print_json(json.dumps({**payload, "usage": usage.to_dict()}))
    finish(usage, to_stderr=as_json)  # the model's name heads the answer (and the JSON)
