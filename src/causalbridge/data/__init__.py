"""Variables, datasets, readers for user files, and the bundled benchmark networks.

>>> from causalbridge.data import load_network
>>> asia = load_network("asia")
>>> asia.sample(100, seed=0).n_rows
100
"""

from causalbridge.data.dataset import CausalDataset
from causalbridge.data.inference import DataWarning
from causalbridge.data.networks import Network, bif_path, list_networks, load_network
from causalbridge.data.readers import NA_TOKENS, read_dataset
from causalbridge.data.sachs import read_sachs_observational
from causalbridge.data.specs import VariableSpec, load_descriptions, parse_descriptions
from causalbridge.data.variables import Variable, VariableKind

__all__ = [
    "NA_TOKENS",
    "CausalDataset",
    "DataWarning",
    "Network",
    "Variable",
    "VariableKind",
    "VariableSpec",
    "bif_path",
    "list_networks",
    "load_descriptions",
    "load_network",
    "parse_descriptions",
    "read_dataset",
    "read_sachs_observational",
]
