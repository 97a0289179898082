"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions API with scripted misbehaviour.

Tests and benchmarks need a server that fails in the ways real ones do (rate limits, stalls, dropped
connections, garbage bodies, refusals) on demand and deterministically. This one runs in a daemon thread on a free
port; :meth:`ScriptedServer.script` queues behaviours that the next requests receive in order, after which it
answers normally. Replies come from a ``responder`` function so each test decides what the "model" says.
Plugin authors can use it too: it has no test-framework dependency.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal

BehaviourKind = Literal["ok", "malformed", "refusal", "rate_limit", "stall", "drop", "status"]


@dataclass(frozen=True, slots=True)
class Behaviour:
    """What the server does with one request. ``stall`` waits ``delay`` seconds and then answers normally."""

    kind: BehaviourKind = "ok"
    status: int = 500
    retry_after: str | None = None
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class Reply:
    """What the scripted model says: text (or a refusal) and, optionally, first-token top log-probabilities."""

    content: str
    top_logprobs: tuple[tuple[str, float], ...] = ()
    finish_reason: str = "stop"


@dataclass(slots=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    behaviour: Behaviour = field(default_factory=Behaviour)


def count_tokens(text: str) -> int:
    """The scripted server's token count: whitespace-separated words (deterministic, good enough to test sums)."""
    return len(text.split())


def default_responder(body: dict[str, Any]) -> Reply:
    """Answer the first listed option of a choose prompt, else echo the last user message."""
    last = next((m.get("content") or "" for m in reversed(body.get("messages", [])) if m.get("role") == "user"), "")
    marker = "Answer with exactly one of: "
    if marker in last:
        listed = last.rsplit(marker, 1)[1].rstrip(".").split(", ")
        tops = tuple((option.split()[0], -0.1 - 1.5 * i) for i, option in enumerate(listed[:20]))
        return Reply(listed[0], tops)
    return Reply(f"echo: {last[-200:]}")


class ScriptedServer:
    """``with ScriptedServer() as server:`` serves ``server.base_url`` (``http://127.0.0.1:PORT/v1``).

    ``latency`` delays every answer (to measure concurrency); ``supports_logprobs=False`` makes it ignore
    ``logprobs`` requests, as many servers do. ``requests`` records everything received, headers included.
    """

    def __init__(
        self,
        responder: Callable[[dict[str, Any]], Reply] = default_responder,
        *,
        latency: float = 0.0,
        supports_logprobs: bool = True,
        model: str = "scripted-model",
    ) -> None:
        self.responder = responder
        self.latency = latency
        self.supports_logprobs = supports_logprobs
        self.model = model
        self.requests: list[RecordedRequest] = []
        self._script: deque[Behaviour] = deque()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> ScriptedServer:
        handler = type("Handler", (_Handler,), {"server_state": self})
        httpd = _Server(("127.0.0.1", 0), handler)
        httpd.daemon_threads = True
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # ----------------------------------------------------------------- scripting
    def script(self, *behaviours: Behaviour | BehaviourKind) -> None:
        """Queue behaviours for the next requests, in order (a kind alone means its defaults)."""
        with self._lock:
            self._script.extend(b if isinstance(b, Behaviour) else Behaviour(b) for b in behaviours)

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self.requests.clear()

    def _next(self, recorded: RecordedRequest) -> Behaviour:
        with self._lock:
            behaviour = self._script.popleft() if self._script else Behaviour()
            recorded.behaviour = behaviour
            self.requests.append(recorded)
            return behaviour

    def completion_body(self, body: dict[str, Any], refusal: bool = False) -> dict[str, Any]:
        """The JSON an OpenAI-compatible server returns for ``body``."""
        prompt_tokens = sum(count_tokens(str(m.get("content") or "")) for m in body.get("messages", []))
        if refusal:
            message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": "I can't help with that."}
            reply = Reply("I can't help with that.")
        else:
            reply = self.responder(body)
            message = {"role": "assistant", "content": reply.content, "refusal": None}
        choice: dict[str, Any] = {"index": 0, "message": message, "finish_reason": reply.finish_reason}
        if body.get("logprobs") and self.supports_logprobs and not refusal:
            tops = reply.top_logprobs or ((reply.content.split(" ")[0] if reply.content else "", -0.01),)
            first = {"token": tops[0][0], "logprob": tops[0][1]}
            wanted = int(body.get("top_logprobs") or 0)
            first["top_logprobs"] = [{"token": t, "logprob": lp} for t, lp in tops[:wanted]]
            choice["logprobs"] = {"content": [first]}
        completion_tokens = max(1, count_tokens(reply.content))
        return {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", self.model),
            "choices": [choice],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default backlog of 5 drops bursts of connections; clients then wait 1 s to retry


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do; every reply sends Content-Length
    disable_nagle_algorithm = True  # headers and body go out in two writes: Nagle would add ~40 ms to each reply
    server_state: ScriptedServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's signature
        return None  # keep test output clean

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(OSError):  # the client may have given up (a stall past its timeout)
            self.wfile.write(data)
            self.wfile.flush()

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.rstrip("/").endswith("/models"):
            self._send_json(200, {"object": "list", "data": [{"id": self.server_state.model, "object": "model"}]})
        else:
            self._send_json(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        state = self.server_state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send_json(400, {"error": {"message": "request body is not JSON"}})
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        behaviour = state._next(RecordedRequest(self.path, headers, body))
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send_json(404, {"error": {"message": f"no route {self.path}"}})
            return
        if state.latency:
            time.sleep(state.latency)
        kind = behaviour.kind
        if kind == "stall":
            time.sleep(behaviour.delay)
        if kind == "drop":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if kind == "malformed":
            self._send_json(200, b'{"id": "chatcmpl-x", "choices": [{"index": 0, "message": {"content": "ye')
        elif kind == "rate_limit":
            extra = {"Retry-After": behaviour.retry_after} if behaviour.retry_after is not None else {}
            self._send_json(429, {"error": {"message": "rate limit reached", "type": "rate_limit"}}, extra)
        elif kind == "status":
            self._send_json(behaviour.status, {"error": {"message": f"scripted status {behaviour.status}"}})
        else:
            self._send_json(200, state.completion_body(body, refusal=kind == "refusal"))
