"""Backend implementations. Build them with :func:`causalbridge.llm.make_backend` or import the class you need.

Importing this package loads no backend module: each one may pull in optional dependencies (httpx, torch).
"""
