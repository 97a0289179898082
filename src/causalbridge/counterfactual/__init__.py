"""Counterfactual data generation in the spirit of DISCO (Chen et al., 2023): minimal edits that flip a label.

A generator model rewrites one field of each labelled example (an NLI hypothesis, a review) so that its label
becomes a target label (or stays, for a *keep* edit); three filters keep only edits that change little (token
edit distance), read fluently (log-probabilities, or a heuristic without them) and whose new label a judge model
agrees with. Every edit is written to a JSONL file with all its scores, whether it was kept and why not;
the file is resumable.

>>> from causalbridge.counterfactual import edit_ratio
>>> round(edit_ratio("the film was great", "the film was awful"), 2)
0.25
"""

from causalbridge.counterfactual.examples import NLI, TEXT, Example, ExampleSet, TaskKind, parse_examples, read_examples
from causalbridge.counterfactual.filter import (
    FilterSettings,
    FluencyScore,
    JudgeScore,
    Verdict,
    decide,
    edit_ratio,
    heuristic_fluency,
    levenshtein,
    logprob_fluency,
    tokens,
)
from causalbridge.counterfactual.generate import EditTask, clean_edit, generate_edits
from causalbridge.counterfactual.io import Candidate, CounterfactualRecord, OutputLog
from causalbridge.counterfactual.run import RunSummary, pick_fluency_backend, plan_tasks, run_counterfactuals

__all__ = [
    "NLI",
    "TEXT",
    "Candidate",
    "CounterfactualRecord",
    "EditTask",
    "Example",
    "ExampleSet",
    "FilterSettings",
    "FluencyScore",
    "JudgeScore",
    "OutputLog",
    "RunSummary",
    "TaskKind",
    "Verdict",
    "clean_edit",
    "decide",
    "edit_ratio",
    "generate_edits",
    "heuristic_fluency",
    "levenshtein",
    "logprob_fluency",
    "parse_examples",
    "pick_fluency_backend",
    "plan_tasks",
    "read_examples",
    "run_counterfactuals",
    "tokens",
]
