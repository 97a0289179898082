"""Errors raised by the LLM layer when a backend (not the user's input) is at fault.

They derive from :class:`~causalbridge.errors.CausalBridgeError` so the CLI reports them in one line: a server
that stays down after every retry is an environment problem the user must fix, not a bug in causalbridge.
"""

from __future__ import annotations

from causalbridge.errors import CausalBridgeError


class BackendError(CausalBridgeError):
    """A backend could not answer: the server kept failing, refused the credentials, or sent garbage."""

    def __init__(self, message: str, backend: str | None = None, attempts: int | None = None) -> None:
        self.backend = backend
        self.attempts = attempts
        prefix = f"{backend}: " if backend else ""
        suffix = f" (after {attempts} attempt{'s' if attempts != 1 else ''})" if attempts else ""
        super().__init__(f"{prefix}{message}{suffix}")


class ReplayMissError(BackendError):
    """A replay file has no recorded answer for a request; ``key`` is the request's hash."""

    def __init__(self, path: str, key: str, op: str) -> None:
        self.path = path
        self.key = key
        super().__init__(
            f"no recorded {op} answer for request {key[:16]} in {path}; "
            "re-record it with RecordingBackend or check that the prompts are unchanged"
        )
