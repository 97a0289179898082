"""Patch sites and where they live inside a decoder-only transformer.

A :class:`Site` names *what* to restore (the residual stream, the attention output or the MLP output of one
decoder layer, at one token position or at all of them) without naming *how* a given architecture spells it:
the string hook names of TransformerLens tie user code to one library's naming scheme, whereas a small value
object can be validated, hashed, compared and written to JSON. :func:`locate_layout` translates sites into
modules by inspecting the model, so the same sites work on GPT-2, Llama, Mistral, Qwen and SmolLM2.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from torch import nn

from causalbridge.errors import InputError


class SiteKind(enum.Enum):
    """The three activations a sweep can restore; each is the output of one module of a decoder layer."""

    RESID = "resid"  # output of the whole decoder block: the residual stream after the layer
    ATTN = "attn"  # output of the attention sub-layer, before it is added to the residual stream
    MLP = "mlp"  # output of the MLP sub-layer, before it is added to the residual stream


@dataclass(frozen=True)
class Site:
    """One place to restore a clean activation: ``kind`` of decoder layer ``layer`` at token ``position``.

    Negative layers and positions count from the end, as Python indices do (``Site(SiteKind.RESID, -1, -1)``
    is the residual stream of the last layer at the final token); ``position=None`` restores every position.
    Sites are resolved against a model and a prompt with :meth:`resolve`, which turns negative indices into
    non-negative ones so that results store one canonical name per site.
    """

    kind: SiteKind
    layer: int
    position: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, SiteKind):
            raise InputError(f"kind must be a SiteKind (RESID, ATTN or MLP), not {self.kind!r}", where="Site.kind")
        if isinstance(self.layer, bool) or not isinstance(self.layer, int):
            raise InputError(f"layer must be an int, not {self.layer!r}", where="Site.layer")
        if self.position is not None and (isinstance(self.position, bool) or not isinstance(self.position, int)):
            raise InputError(f"position must be an int or None, not {self.position!r}", where="Site.position")

    def __str__(self) -> str:
        where = "all positions" if self.position is None else f"position {self.position}"
        return f"{self.kind.value} of layer {self.layer} at {where}"

    def resolve(self, n_layers: int, n_tokens: int) -> Site:
        """This site with non-negative indices, or an :class:`InputError` naming the index that does not fit."""
        if not -n_layers <= self.layer < n_layers:
            raise InputError(
                f"layer {self.layer} is out of range: the model has {n_layers} decoder layers "
                f"(valid: 0..{n_layers - 1}, or -{n_layers}..-1 from the end)",
                where=f"Site({self})",
            )
        position = self.position
        if position is not None:
            if not -n_tokens <= position < n_tokens:
                raise InputError(
                    f"position {position} is out of range: the prompt has {n_tokens} tokens "
                    f"(valid: 0..{n_tokens - 1}, or -{n_tokens}..-1 from the end, or None for all)",
                    where=f"Site({self})",
                )
            position %= n_tokens
        return Site(self.kind, self.layer % n_layers, position)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "layer": self.layer, "position": self.position}


# Where decoder layers live, in the order tried: Llama/Mistral/Qwen/Gemma/Phi, GPT-2/GPT-J/Bloom,
# GPT-NeoX/Pythia, then a few rarer spellings. OPT's layers are found but rejected: its MLP is two bare Linear
# layers with no module whose output is the MLP output.
_LAYER_PATHS = (
    "model.layers",
    "transformer.h",
    "gpt_neox.layers",
    "model.decoder.layers",
    "transformer.layers",
    "transformer.blocks",
    "model.transformer.h",
)
_ATTENTION_NAMES = ("self_attn", "attn", "attention", "self_attention")
_MLP_NAMES = ("mlp", "feed_forward", "ffn")


@dataclass(frozen=True)
class DecoderLayout:
    """The decoder layers of one model and the names of their attention and MLP sub-modules."""

    architecture: str
    layers_path: str
    attention_name: str
    mlp_name: str
    layers: tuple[nn.Module, ...]

    @property
    def n_layers(self) -> int:
        return len(self.layers)

    def module(self, kind: SiteKind, layer: int) -> nn.Module:
        """The module whose forward output *is* the activation of ``kind`` at ``layer``."""
        block = self.layers[layer]
        if kind is SiteKind.RESID:
            return block
        name = self.attention_name if kind is SiteKind.ATTN else self.mlp_name
        module: nn.Module = getattr(block, name)
        return module

    def hook_name(self, kind: SiteKind, layer: int) -> str:
        """The module's dotted path, for messages and reports (never needed to *use* a site)."""
        base = f"{self.layers_path}.{layer}"
        if kind is SiteKind.RESID:
            return base
        return f"{base}.{self.attention_name if kind is SiteKind.ATTN else self.mlp_name}"


def _follow(root: nn.Module, path: str) -> Any:
    node: Any = root
    for part in path.split("."):
        node = getattr(node, part, None)
        if node is None:
            return None
    return node


def _child_name(block: nn.Module, candidates: tuple[str, ...]) -> str | None:
    children = dict(block.named_children())
    return next((name for name in candidates if isinstance(children.get(name), nn.Module)), None)


def locate_layout(model: nn.Module) -> DecoderLayout:
    """Find the decoder layers and their attention / MLP sub-modules, or say plainly why they are not there.

    The common layouts are tried by name rather than by walking every module, because a wrong guess (an
    encoder's layer list, a vision tower) would silently patch the wrong activations.
    """
    architecture = type(model).__name__
    for path in _LAYER_PATHS:
        layers = _follow(model, path)
        if not isinstance(layers, nn.ModuleList) or len(layers) == 0:
            continue
        first = layers[0]
        attention = _child_name(first, _ATTENTION_NAMES)
        mlp = _child_name(first, _MLP_NAMES)
        if attention is None or mlp is None:
            missing = "attention sub-module" if attention is None else "MLP sub-module"
            looked = _ATTENTION_NAMES if attention is None else _MLP_NAMES
            children = ", ".join(name for name, _ in first.named_children()) or "none"
            raise InputError(
                f"unsupported architecture: the decoder layers at {path} have no {missing} "
                f"(looked for {', '.join(looked)}; the layer's children are: {children})",
                where=f"model {architecture}",
            )
        for index, block in enumerate(layers):
            if _child_name(block, (attention,)) is None or _child_name(block, (mlp,)) is None:
                raise InputError(
                    f"unsupported architecture: decoder layer {index} at {path} lacks {attention!r} or {mlp!r}",
                    where=f"model {architecture}",
                )
        return DecoderLayout(architecture, path, attention, mlp, tuple(layers))
    raise InputError(
        "unsupported architecture: cannot find the decoder layers of this causal LM "
        f"(looked for {', '.join(_LAYER_PATHS)}); activation patching supports the GPT-2, Llama, Mistral, "
        "Qwen, Gemma, Phi-3 and GPT-NeoX layouts",
        where=f"model {architecture}",
    )


def input_embeddings(model: nn.Module) -> nn.Module:
    """The token-embedding module (where causal tracing adds its noise), through the transformers API."""
    getter = getattr(model, "get_input_embeddings", None)
    module = getter() if callable(getter) else None
    if not isinstance(module, nn.Module):
        raise InputError(
            "the model exposes no token embeddings (get_input_embeddings); use a counterfactual prompt instead "
            "of subject noise",
            where=f"model {type(model).__name__}",
        )
    return module
