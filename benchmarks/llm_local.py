"""Benchmark the local engines on the embedded model: ``choose`` by log-probabilities vs by a sampling vote.

Writes (or updates) docs/benchmarks/llm_local.md. Each engine owns one section of that file, so the optional
llama.cpp engine can be measured from a separate environment and added later:

    PYTHONHASHSEED=0 .venv/bin/python benchmarks/llm_local.py                      # transformers engine
    PYTHONHASHSEED=0 PYTHONPATH=src /tmp/llamacpp-venv/bin/python benchmarks/llm_local.py --engine llamacpp

The sampling-vote baseline here (k=5 samples of up to 4 tokens, majority vote on the first yes/no word) is a
benchmark-local stand-in for the production ``choose`` fallback in ``causalbridge.llm``.
"""

from __future__ import annotations

import os

# Spinning OpenMP threads slow a forward pass 20x on a loaded 2-core machine; see DEVELOPERS.md. A user's own
# setting wins. This must happen before torch is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

from causalbridge.llm.engines import LocalEngine, embedded_model_path  # noqa: E402
from causalbridge.llm.types import GenerationParams, Message  # noqa: E402

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks" / "llm_local.md"
OPTIONS = ("Yes", "No")
K_SAMPLES = 5
SAMPLE_TOKENS = 4
REPEATS = 3

QUESTIONS = [
    "Does smoking cause lung cancer?",
    "Does a rooster's crow cause the sun to rise?",
    "Does rain cause the ground to be wet?",
    "Does a wet street cause rain?",
    "Does exercise improve cardiovascular health?",
    "Do ice cream sales cause drowning?",
    "Does studying improve exam scores?",
    "Does a fever cause an infection?",
    "Does heating water to 100 degrees Celsius at sea level cause it to boil?",
    "Does carrying a lighter cause lung cancer?",
    "Does drunk driving increase the risk of car accidents?",
    "Do yellow fingers cause lung cancer?",
    "Does fertilizer increase crop yield?",
    "Does a falling barometer cause storms?",
    "Does vaccination reduce the risk of measles?",
    "Does the number of firefighters at a fire cause more damage?",
    "Does sunlight exposure cause sunburn?",
    "Does owning a swimming pool cause wealth?",
    "Does removing a light bulb from its socket turn off its light?",
    "Does a hospital stay cause illness?",
]

WORD = re.compile(r"[A-Za-z]+")


def prompt(question: str) -> tuple[Message, ...]:
    return (Message("user", f"{question} Answer with one word: Yes or No."),)


def vote(texts: list[str]) -> str | None:
    """The majority among replies whose first word is yes or no; None (abstain) when no reply has one."""
    answers = []
    for text in texts:
        match = WORD.search(text)
        if match and match.group(0).lower() in ("yes", "no"):
            answers.append(match.group(0).capitalize())
    if not answers:
        return None
    counts = Counter(answers).most_common()
    return counts[0][0] if len(counts) == 1 or counts[0][1] > counts[1][1] else None


@dataclass(frozen=True)
class Measured:
    """Wall seconds, and CPU seconds of this process (all threads): the CPU time is far less sensitive to other
    processes competing for the machine, so its ratios are the steadier comparison on a shared machine."""

    seconds: float
    cpu_seconds: float
    answers: list[str | None]


def by_logprobs(engine: LocalEngine) -> Measured:
    start, cpu = time.perf_counter(), time.process_time()
    answers: list[str | None] = []
    for question in QUESTIONS:
        logprobs, _ = engine.option_logprobs(prompt(question), OPTIONS)
        answers.append(OPTIONS[max(range(len(OPTIONS)), key=logprobs.__getitem__)])
    return Measured(time.perf_counter() - start, time.process_time() - cpu, answers)


def by_sampling(engine: LocalEngine, whole_batch: bool) -> Measured:
    """k samples per question; either one ``generate`` call per question (k rows) or one call for all."""
    params = GenerationParams(max_tokens=SAMPLE_TOKENS, temperature=1.0, seed=0)
    start, cpu = time.perf_counter(), time.process_time()
    if whole_batch:
        outs = engine.generate([prompt(q) for q in QUESTIONS for _ in range(K_SAMPLES)], params)
        texts = [o.text for o in outs]
        answers = [vote(texts[i * K_SAMPLES : (i + 1) * K_SAMPLES]) for i in range(len(QUESTIONS))]
    else:
        answers = [vote([o.text for o in engine.generate([prompt(q)] * K_SAMPLES, params)]) for q in QUESTIONS]
    return Measured(time.perf_counter() - start, time.process_time() - cpu, answers)


def generation_speed(engine: LocalEngine, batch: int) -> tuple[float, int]:
    """Completion tokens per second (prefill included) on prompts that draw long replies."""
    prompts = [(Message("user", f"Explain in a few sentences: {q}"),) for q in QUESTIONS[:batch]]
    start = time.perf_counter()
    outs = engine.generate(prompts, GenerationParams(max_tokens=32))
    seconds = time.perf_counter() - start
    tokens = sum(o.completion_tokens for o in outs)
    return tokens / seconds, tokens


def median_run(measure: Callable[[], Measured]) -> Measured:
    runs = [measure() for _ in range(REPEATS)]
    return sorted(runs, key=lambda m: m.seconds)[REPEATS // 2]


def load(engine_name: str) -> tuple[LocalEngine, float, float]:
    start = time.perf_counter()
    if engine_name == "transformers":
        import torch  # noqa: F401  (import cost is reported apart from the load)
        import transformers  # noqa: F401

        from causalbridge.llm.engines import load_embedded_engine

        imported = time.perf_counter()
        engine: LocalEngine = load_embedded_engine()
    else:
        import llama_cpp  # noqa: F401

        from causalbridge.llm.engines import load_llamacpp_engine

        imported = time.perf_counter()
        engine = load_llamacpp_engine(embedded_model_path())
    return engine, imported - start, time.perf_counter() - imported


def versions(engine_name: str) -> str:
    if engine_name == "transformers":
        import torch
        import transformers

        return f"torch {torch.__version__} ({torch.get_num_threads()} threads), transformers {transformers.__version__}"
    import llama_cpp

    return f"llama-cpp-python {llama_cpp.__version__} (built with GGML_NATIVE=OFF)"


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def section(engine_name: str) -> str:
    load_before = os.getloadavg()[0]
    engine, import_s, load_s = load(engine_name)
    engine.option_logprobs(prompt("Warm up?"), OPTIONS)  # first-call allocations are not part of the rate
    engine.generate([prompt("Warm up?")], GenerationParams(max_tokens=2))

    logp = median_run(lambda: by_logprobs(engine))
    per_question = median_run(lambda: by_sampling(engine, whole_batch=False))
    batched = median_run(lambda: by_sampling(engine, whole_batch=True))
    single_tps, single_tokens = generation_speed(engine, 1)
    batch_tps, batch_tokens = generation_speed(engine, 8)
    load_after = os.getloadavg()[0]

    n = len(QUESTIONS)
    qps = {name: n / m.seconds for name, m in [("logp", logp), ("pq", per_question), ("all", batched)]}
    cpu = {name: m.cpu_seconds / n for name, m in [("logp", logp), ("pq", per_question), ("all", batched)]}
    agree = sum(a == b for a, b in zip(logp.answers, per_question.answers, strict=True))
    abstained = sum(a is None for a in per_question.answers)
    yes_share = sum(a == "Yes" for a in logp.answers) / n
    return "\n".join(
        [
            f"### Engine: {engine_name}",
            "",
            f"* Date: {dt.date.today().isoformat()}; command: `{command(engine_name)}`",
            f"* Machine: {os.cpu_count()} cores ({cpu_name()}), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}; {versions(engine_name)}; "
            f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}",
            f"* 1-minute load average: {load_before:.1f} at the start (other processes), {load_after:.1f} at the end "
            "(including this benchmark's own threads); 2 cores, so a start value above 0 means the rates below "
            "had to share the CPU",
            f"* Each rate is the median (by wall time) of {REPEATS} runs over the same {n} yes/no causal questions.",
            "",
            "| measure | value |",
            "| --- | --- |",
            f"| import torch/transformers or llama_cpp (s) | {import_s:.1f} |",
            f"| model load (s) | {load_s:.1f} |",
            f"| choose by log-probabilities: questions/s, CPU s per question | {qps['logp']:.2f}, {cpu['logp']:.3f} |",
            f"| choose by sampling vote, k={K_SAMPLES} x {SAMPLE_TOKENS} tokens, one batch per question: questions/s, "
            f"CPU s per question | {qps['pq']:.2f}, {cpu['pq']:.3f} |",
            f"| choose by sampling vote, all {n * K_SAMPLES} samples in one call: questions/s, CPU s per question | "
            f"{qps['all']:.2f}, {cpu['all']:.3f} |",
            f"| **log-probabilities vs sampling, one batch per question: wall, CPU** | "
            f"**{qps['logp'] / qps['pq']:.1f}x, {cpu['pq'] / cpu['logp']:.1f}x** |",
            f"| **log-probabilities vs sampling, all in one call: wall, CPU** | "
            f"**{qps['logp'] / qps['all']:.1f}x, {cpu['all'] / cpu['logp']:.1f}x** |",
            f"| generation, 1 prompt, greedy, 32 tokens max (tokens/s) | {single_tps:.1f} ({single_tokens} tokens) |",
            f"| generation, 8 prompts batched, greedy, 32 tokens max (tokens/s) | {batch_tps:.1f} "
            f"({batch_tokens} tokens) |",
            f"| log-probability answer = sampling-vote answer | {agree}/{n} questions |",
            f"| sampling vote abstained (no yes/no majority) | {abstained}/{n} questions |",
            f"| share of 'Yes' by log-probabilities | {yes_share:.2f} |",
            "",
        ]
    )


def command(engine_name: str) -> str:
    if engine_name == "transformers":
        return "PYTHONHASHSEED=0 .venv/bin/python benchmarks/llm_local.py"
    return "PYTHONHASHSEED=0 PYTHONPATH=src /tmp/llamacpp-venv/bin/python benchmarks/llm_local.py --engine llamacpp"


HEADER = """# Local engines on the embedded model (SmolLM2-135M-Instruct, Q4_1 GGUF)

Written by `benchmarks/llm_local.py`; each engine's section is replaced when that engine is re-run.

**What is measured.** Asking a yes/no causal question (`choose`) two ways on the embedded model:

* *by log-probabilities*: one forward pass per question scores both answers (`option_logprobs`: the prompt
  and the options packed into one sequence; see `causalbridge/llm/engines/scoring.py`);
* *by a sampling vote*: k=5 sampled replies of up to 4 tokens at temperature 1, majority vote on the first
  yes/no word (abstain on a tie or when no reply starts with one), implemented in the benchmark on `generate`.

Plus the model load time and the raw generation speed. The target was log-probabilities at least 5x faster
than sampling. The embedded model is at chance on causal questions; agreement and the share of "Yes" are
printed to show that both methods ran on real answers, not as a measure of quality.

**Reading the numbers.** The first ratio (one `generate` call of k=5 rows per question) matches how `choose`
asks about one prompt. The second lets the sampling vote batch all 100 samples, which helps it on a CPU (larger
matrix products) while `option_logprobs` still scores one prompt per call, as its contract says; it is the
conservative ratio. The llama.cpp engine generates one prompt at a time from an empty cache (so a reply never
depends on earlier prompts) and uses llama-cpp-python's default thread count. The load-average line says how
busy the shared 2-core machine was: other processes' load took part of the CPU and lowered every rate, by
different amounts from run to run. The CPU-seconds ratio (this process's CPU time, all threads) is the steadier
comparison on a busy machine; the wall-clock ratio is what a user waits for.
"""


def write(engine_name: str, body: str) -> None:
    sections: dict[str, str] = {}
    if DOC.exists():
        for name in ("transformers", "llamacpp"):
            found = re.search(f"<!-- begin {name} -->\n(.*?)<!-- end {name} -->", DOC.read_text(), re.S)
            if found:
                sections[name] = found.group(1)
    sections[engine_name] = body
    parts = [HEADER]
    for name in ("transformers", "llamacpp"):
        if name in sections:
            parts.append(f"<!-- begin {name} -->\n{sections[name]}<!-- end {name} -->\n")
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text("\n".join(parts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["transformers", "llamacpp"], default="transformers")
    args = parser.parse_args(argv)
    body = section(args.engine)
    write(args.engine, body)
    print(body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
