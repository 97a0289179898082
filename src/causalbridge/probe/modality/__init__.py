"""Modality reliance of vision-language models: does the answer come from the picture or from the text?

Build :class:`ModalityItem` s (a picture, a question, options and optional text evidence), get a
:class:`VisionBackend` (``make_vision_backend("openai-compatible:http://localhost:8000/v1#llava")``), and call
:func:`modality_reliance`: it blanks, noises and swaps the pictures, removes and swaps the text, and reports how
far each moves the answers, with bootstrap intervals and a verdict.
"""

from __future__ import annotations

from causalbridge.probe.modality.images import Image, blank, decode_png, encode_png, load_image, noised, solid
from causalbridge.probe.modality.reliance import (
    INTERVENTIONS,
    ITEMS_PER_CALL,
    InterventionEffect,
    ItemResult,
    ModalityItem,
    ModalityProgress,
    RelianceResult,
    amodality_reliance,
    modality_reliance,
    swap_partners,
)
from causalbridge.probe.modality.report import reliance_markdown, reliance_to_dict, write_reliance
from causalbridge.probe.modality.specfile import load_items
from causalbridge.probe.modality.vision import (
    OpenAICompatVisionBackend,
    OpenAIVisionBackend,
    VisionBackend,
    VisionPrompt,
    make_vision_backend,
)

__all__ = [
    "INTERVENTIONS",
    "ITEMS_PER_CALL",
    "Image",
    "InterventionEffect",
    "ItemResult",
    "ModalityItem",
    "ModalityProgress",
    "OpenAICompatVisionBackend",
    "OpenAIVisionBackend",
    "RelianceResult",
    "VisionBackend",
    "VisionPrompt",
    "amodality_reliance",
    "blank",
    "decode_png",
    "encode_png",
    "load_image",
    "load_items",
    "make_vision_backend",
    "modality_reliance",
    "noised",
    "reliance_markdown",
    "reliance_to_dict",
    "solid",
    "swap_partners",
    "write_reliance",
]
