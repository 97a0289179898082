"""The embedded model works with no network at all: a child process in a fresh network namespace (``unshare -n``,
which leaves only a downed loopback) loads it and answers, with the Hugging Face offline switches unset."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from causalbridge.llm.engines import load_embedded_engine
from causalbridge.llm.types import GenerationParams, Message

pytestmark = pytest.mark.slow

QUESTION = (Message("user", "Does smoking cause lung cancer? Answer yes or no."),)

CHILD = textwrap.dedent(
    """
    import json, socket
    try:
        socket.create_connection(("1.1.1.1", 443), timeout=3).close()
        network = True
    except OSError:
        network = False
    from causalbridge.llm.engines import load_embedded_engine
    from causalbridge.llm.types import GenerationParams, Message
    engine = load_embedded_engine()
    question = (Message("user", "Does smoking cause lung cancer? Answer yes or no."),)
    logprobs, tokens = engine.option_logprobs(question, ["Yes", "No"])
    (reply,) = engine.generate([question], GenerationParams(max_tokens=6))
    print(json.dumps({"network": network, "logprobs": logprobs, "tokens": tokens, "text": reply.text}))
    """
)


def unshare_works() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    try:
        return subprocess.run([unshare, "-n", "true"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.skipif(not unshare_works(), reason="`unshare -n` is not permitted here (needs root or user namespaces)")
def test_the_embedded_model_answers_with_the_network_disabled() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env["PYTHONHASHSEED"] = "0"
    child = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=300, env=env
    )
    assert child.returncode == 0, child.stderr[-3000:]
    result = json.loads(child.stdout.strip().splitlines()[-1])
    assert result["network"] is False, "the child could reach the network, so this test proves nothing"

    engine = load_embedded_engine()
    logprobs, tokens = engine.option_logprobs(QUESTION, ["Yes", "No"])
    (reply,) = engine.generate([QUESTION], GenerationParams(max_tokens=6))
    assert result["logprobs"] == pytest.approx(logprobs, abs=1e-5)
    assert result["tokens"] == tokens
    assert result["text"] == reply.text
