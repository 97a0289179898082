"""The four jobs of ``causalbridge demo``, each returning its report chapters, its numbers and its LLM usage.

1. Hybrid discovery on sachs: the data's CPDAG (PC), oriented by the model, and by a simulated expert for contrast.
2. An effect estimate on asia with the model's variable roles, next to the true graph's and the exact answer.
3. A short ladder benchmark (exact answers) of the model, with order-swap consistency.
4. Exact interventional and counterfactual answers of the asia SCM.

Every number the demo prints comes from here; :mod:`causalbridge.cli.demo` only prints and writes them.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from causalbridge.data import load_network
from causalbridge.llm.types import Backend, Usage
from causalbridge.report import Chapter, Section, TableSection, TextSection, UsageSection, from_bench, from_discovery

EXPERT_ACCURACY = 0.8


@dataclass
class Step:
    """One job's output: report chapters, a JSON-ready summary, its table (with a caption) and its model usage."""

    title: str
    chapters: list[Chapter] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    caption: str = ""
    usage: Usage = field(default_factory=Usage)

    def markdown(self) -> list[str]:
        """The caption and the table as Markdown lines (pipes inside cells escaped)."""

        def cells(values: tuple[str, ...]) -> str:
            return "| " + " | ".join(v.replace("|", "\\|") for v in values) + " |"

        lines = [self.caption, ""] if self.caption else []
        return [*lines, cells(self.columns), "|" + "---|" * len(self.columns), *map(cells, self.rows), ""]


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def discovery_step(model: Backend, samples: int, seed: int) -> Step:
    """PC on sachs, then the hybrid with ``model`` and with a simulated expert (the same PC graph for both)."""
    from causalbridge.cli.discover import truth_scores
    from causalbridge.discover import PC, Hybrid, LLMOrienter, Precomputed
    from causalbridge.llm import SimulatedExpert

    sachs = load_network("sachs")
    data = sachs.sample(samples, seed=seed)
    expert = SimulatedExpert(sachs.graph, accuracy=EXPERT_ACCURACY, seed=seed, network="sachs")
    base = PC(alpha=0.01).discover(data)
    fixed = Precomputed(base)  # both hybrids orient the same PC graph
    ours = Hybrid(data=fixed, orient=LLMOrienter(model, progress=True)).discover(data)
    runs = {
        "PC (data only)": base,
        f"hybrid: PC + {model.name}": ours,
        f"hybrid: PC + SIMULATED expert (accuracy {EXPERT_ACCURACY})": Hybrid(
            data=fixed, orient=LLMOrienter(expert)
        ).discover(data),
    }
    step = Step(f"Causal discovery on sachs ({samples} samples, seed {seed})", usage=ours.usage or Usage())
    shown = ("shd_vs_dag", "shd_vs_cpdag", "skeleton_f1", "directed_f1", "llm_queries", "undirected_edges")
    rows = []
    for label, result in runs.items():
        scores = {**truth_scores(result, sachs), "undirected_edges": len(result.graph.undirected_edges)}
        entry = {"network": "sachs", "method": label, **scores, "graph": result.to_dict()}
        step.summary[label] = entry
        step.chapters.append(from_discovery(entry, title=f"sachs: {label}", truth=sachs.graph))
        rows.append((label, *(_fmt(scores[key]) for key in shown)))
    columns = ("method", "SHD vs DAG", "SHD vs CPDAG", "skeleton F1", "directed F1", "LLM queries", "undirected")
    step.chapters.insert(
        0,
        Chapter(
            step.title,
            (
                TableSection("Discovery scores against the true sachs graph", columns, tuple(rows)),
                TextSection(
                    "How to read this",
                    (
                        "The hybrid asks the model only about edges the data left undirected (and a few probes to "
                        "measure how reliable the model is); it applies an answer only when the model's evidence "
                        "beats the data's. A model at chance changes (almost) nothing.",
                        "The simulated expert answers from the true graph and is right with probability "
                        f"{EXPERT_ACCURACY}: it shows how the hybrid uses good but imperfect knowledge. It is a "
                        "simulation, not a language model.",
                    ),
                    "note",
                ),
            ),
        ),
    )
    step.columns, step.rows = columns, tuple(rows)
    return step


def effect_step(model: Backend, samples: int, seed: int) -> Step:
    """The effect of smoking on dyspnoea in asia: the model's roles vs the true graph vs the exact ATE."""
    from causalbridge.effect import EffectWarning, estimate_effect, parse_estimators
    from causalbridge.effect.roles import suggest_roles
    from causalbridge.report import from_effect

    asia = load_network("asia")
    data = asia.sample(samples, seed=seed)
    truth = asia.scm.ate("smoke", "dysp", treated="yes", control="no", outcome_state="yes")
    estimators = parse_estimators("ols,ipw,aipw")
    table = suggest_roles(data, "smoke", "dysp", model, rationale=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EffectWarning)
        by_roles = estimate_effect(data, None, "smoke", "dysp", estimators, roles=table, seed=seed, quiet=True)
        by_truth = estimate_effect(data, asia.graph, "smoke", "dysp", estimators, seed=seed, quiet=True)
    step = Step(f"Effect of smoking on dyspnoea (asia, {samples} samples)", usage=table.usage)
    rows = []
    for label, result in ((f"graph from {model.name}'s roles", by_roles), ("true asia graph", by_truth)):
        d = json.loads(result.to_json())
        d["usage"] = table.usage.to_dict() if result is by_roles else None
        step.summary[label] = d
        step.chapters.append(from_effect(d, title=f"asia, smoke -> dysp: {label}"))
        adjust = ", ".join(d.get("adjustment_set") or []) or "(none)"
        for name, est in (d.get("estimates") or {}).items():
            value, low, high = est.get("value"), est.get("ci_low"), est.get("ci_high")
            covers = "yes" if low is not None and high is not None and low <= truth <= high else "no"
            rows.append((label, adjust, name, _fmt(value), f"[{_fmt(low)}, {_fmt(high)}]", covers))
    step.summary["exact_ate"] = truth
    roles = {r.variable: r.role for r in table.roles}
    step.summary["model_roles"] = roles
    columns = ("graph", "adjustment set", "estimator", "estimate", "95% interval", "covers exact ATE?")
    caption = (
        f"Exact ATE from the asia SCM: P(dysp=yes | do(smoke=yes)) - P(dysp=yes | do(smoke=no)) = {truth:.4f}. "
        "The estimators code the second state of each binary column as 1; both treatment and outcome are flipped, "
        "so the difference they estimate is this same number."
    )
    sections: list[Section] = [
        TableSection("Estimates against the exact answer", columns, tuple(rows), caption=caption),
        TextSection(
            "The model's roles",
            (
                "; ".join(f"{k}: {v}" for k, v in roles.items()),
                "In asia smoking has no causes, so nothing needs adjusting; lung, bronc and either are mediators "
                "(bad controls) and xray is a consequence of the outcome. A graph built from wrong roles adjusts "
                "for them: bad controls can only be flagged in the graph the analysis is given, so the true "
                "graph's analysis below flags all four and the model's graph flags none.",
            ),
            "note",
        ),
        UsageSection.from_usage(table.usage.to_dict(), title="LLM usage (roles)"),
    ]
    step.chapters.insert(0, Chapter(step.title, tuple(sections)))
    step.columns, step.rows, step.caption = columns, tuple(rows), caption
    return step


def bench_step(model: Backend, questions: int, seed: int, run_dir: Path) -> Step:
    """``questions`` generated ladder questions with exact answers, asked in both option orders (resumable)."""
    from causalbridge.bench.generate import generate_ladder
    from causalbridge.bench.report import write_report
    from causalbridge.bench.runner import run_task
    from causalbridge.bench.scorers import BenchScorer
    from causalbridge.bench.solvers import make_solver
    from causalbridge.bench.task import Task
    from causalbridge.cli.bench import accuracy_slices

    items = generate_ladder(questions, seed=seed, naming="commonsense")
    task = Task(items, make_solver("direct"), BenchScorer())
    run = run_task(task, model, run_dir, seed=seed, dataset_spec=f"ladder (commonsense, seed {seed})")
    files = write_report(run_dir)
    data = json.loads(files.json.read_text(encoding="utf-8"))
    scores = files.scores
    step = Step(f"Ladder benchmark: {model.name} on {questions} questions", usage=scores.usage)
    step.chapters.append(from_bench(data, title=step.title))
    acc = scores.accuracy
    step.summary = {
        "run_dir": str(run_dir),
        "items": scores.n,
        "answered_now": run.new,
        "resumed": run.resumed,
        "accuracy": None if acc is None else {"value": acc.accuracy, "low": acc.low, "high": acc.high},
        "order_swap_consistency": None if scores.consistency is None else scores.consistency.accuracy,
        "chance": 0.5,
    }
    rows = tuple(
        (label, str(a.n), f"{a.accuracy:.1%}", f"[{a.low:.1%}, {a.high:.1%}]") for label, a in accuracy_slices(scores)
    )
    step.columns, step.rows = ("slice", "n", "accuracy", "95% interval"), rows
    return step


def exact_step() -> Step:
    """Exact answers on asia by our variable elimination (cross-checked against pgmpy in the tests)."""
    asia = load_network("asia").scm
    do_yes = asia.interventional(["dysp"], {"smoke": "yes"}).prob({"dysp": "yes"})
    do_no = asia.interventional(["dysp"], {"smoke": "no"}).prob({"dysp": "yes"})
    questions = {
        "P(dysp=yes | smoke=yes)": asia.query(["dysp"], {"smoke": "yes"}).prob({"dysp": "yes"}),
        "P(dysp=yes | do(smoke=yes))": do_yes,
        "P(dysp=yes | do(smoke=no))": do_no,
        "ATE of smoking on dyspnoea": do_yes - do_no,
        "P(dysp_{smoke=no}=yes | smoke=yes, dysp=yes)": asia.counterfactual(
            ["dysp"], {"smoke": "no"}, {"smoke": "yes", "dysp": "yes"}
        ).prob({"dysp": "yes"}),
    }
    step = Step("Exact causal questions on asia", summary=questions)
    rows = tuple((k, f"{v:.6f}") for k, v in questions.items())
    step.chapters.append(Chapter(step.title, (TableSection("Exact answers", ("question", "answer"), rows),)))
    step.columns, step.rows = ("question", "answer"), rows
    return step
