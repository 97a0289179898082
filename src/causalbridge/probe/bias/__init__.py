"""Counterfactual bias audit: does changing only a protected attribute change a model's decision?

``load_templates("builtin")`` gives the 20 shipped decision templates; :func:`audit_bias` asks a backend every
counterfactual prompt and returns a :class:`BiasAudit` with per-template effects, bootstrap intervals, sign-flip
p-values and Benjamini-Hochberg q-values; :func:`write_audit` writes JSON, Markdown, a figure and the
counterfactual-data-augmentation set.
"""

from __future__ import annotations

from causalbridge.probe.bias.audit import (
    AuditSettings,
    BiasAudit,
    EffectTest,
    Measurement,
    OverallEffect,
    aaudit_bias,
    audit_bias,
)
from causalbridge.probe.bias.design import Filling, Variant, augmentation_records, template_fillings
from causalbridge.probe.bias.report import audit_markdown, audit_to_dict, write_audit, write_jsonl
from causalbridge.probe.bias.templates import (
    BUILTIN,
    Attribute,
    AttributeGroup,
    BiasTemplate,
    TemplateSet,
    WordLists,
    load_templates,
    load_word_lists,
)

__all__ = [
    "BUILTIN",
    "Attribute",
    "AttributeGroup",
    "AuditSettings",
    "BiasAudit",
    "BiasTemplate",
    "EffectTest",
    "Filling",
    "Measurement",
    "OverallEffect",
    "TemplateSet",
    "Variant",
    "WordLists",
    "aaudit_bias",
    "audit_bias",
    "audit_markdown",
    "audit_to_dict",
    "augmentation_records",
    "load_templates",
    "load_word_lists",
    "template_fillings",
    "write_audit",
    "write_jsonl",
]
