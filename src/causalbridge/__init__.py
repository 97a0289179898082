"""causalbridge: large language models and causal inference, in both directions."""

from importlib.metadata import PackageNotFoundError, version

from causalbridge.errors import CausalBridgeError, CycleError, GraphError, InputError, UnknownVariableError
from causalbridge.graph import CausalGraph, Edge, Mark

try:
    __version__ = version("causalbridge")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "CausalBridgeError",
    "CausalGraph",
    "CycleError",
    "Edge",
    "GraphError",
    "InputError",
    "Mark",
    "UnknownVariableError",
    "__version__",
]
