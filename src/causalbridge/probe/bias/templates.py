"""Bias-audit templates and the word lists of protected attributes, read and checked with located errors.

A template is a decision prompt with ``{slots}``. The slots of its protected ``attribute`` (``{name}``,
``{Pronoun}`` ...) are filled from the word lists and are what the audit changes; every other slot is context,
listed in the template and held fixed within each counterfactual pair. Everything is checked when loaded, so a
typo in a slot fails with ``templates.yaml:41:5: unknown slot {pronon} ...`` before any model is asked.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from causalbridge.errors import InputError
from causalbridge.probe.specfile import Node, parse_text, read_file

BUILTIN = "builtin"
"""Pass this instead of a path to use the shipped templates (or word lists)."""

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}|[{}]")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_TEMPLATE_KEYS = frozenset(
    {"id", "domain", "attribute", "text", "options", "favourable", "slots", "groups", "reference", "note"}
)


@dataclass(frozen=True, slots=True)
class AttributeGroup:
    """One group of an attribute (``female``): its fields, each a tuple of values used in order, cycling."""

    name: str
    fields: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def size(self) -> int:
        """How many distinct fillings the group has (the length of its list fields; 1 if it has none)."""
        return max((len(values) for _, values in self.fields), default=1)

    def values(self, index: int) -> dict[str, str]:
        """The field values of the ``index``-th member (scalars are the same for every member)."""
        return {name: values[index % len(values)] for name, values in self.fields}


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    description: str
    reference: str
    groups: tuple[AttributeGroup, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.groups[0].fields)

    def group(self, name: str) -> AttributeGroup:
        for group in self.groups:
            if group.name == name:
                return group
        raise InputError(f"attribute {self.name!r} has no group {name!r} (groups: {self.group_names})")

    @property
    def group_names(self) -> tuple[str, ...]:
        return tuple(group.name for group in self.groups)


@dataclass(frozen=True, slots=True)
class WordLists:
    attributes: tuple[Attribute, ...]
    source: str

    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.attributes)

    def get(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass(frozen=True, slots=True)
class BiasTemplate:
    """One decision prompt. ``groups`` (reference first) are the attribute's groups this template compares."""

    id: str
    domain: str
    attribute: Attribute
    text: str
    options: tuple[str, ...]
    favourable: str
    slots: tuple[tuple[str, tuple[str, ...]], ...]
    groups: tuple[str, ...]
    note: str
    where: str

    @property
    def reference(self) -> str:
        return self.groups[0]

    def render(self, values: Mapping[str, str]) -> str:
        """The text with every ``{slot}`` replaced (``{{``/``}}`` are literal braces)."""

        def substitute(match: re.Match[str]) -> str:
            token = match.group(0)
            if token in ("{{", "}}"):
                return token[0]
            return values[match.group(1)]

        return " ".join(_PLACEHOLDER.sub(substitute, self.text).split())


@dataclass(frozen=True, slots=True)
class TemplateSet:
    templates: tuple[BiasTemplate, ...]
    words: WordLists
    source: str

    def __len__(self) -> int:
        return len(self.templates)


def _builtin_text(name: str) -> str:
    return resources.files("causalbridge.probe").joinpath("data", name).read_text(encoding="utf-8")


def _fields(node: Node, attribute: str, group: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    what = f"group {group!r} of attribute {attribute!r}"
    fields: list[tuple[str, tuple[str, ...]]] = []
    for field, value in node.mapping(what):
        if not _IDENTIFIER.match(field) or "." in field or "-" in field:
            raise value.error(f"field name {field!r} must be letters, digits and underscores")
        fields.append((field, value.texts(f"field {field!r} of {what}", allow_scalar=True)))
    if not fields:
        raise node.error(f"{what} needs at least one field")
    lengths = {len(values) for _, values in fields if len(values) > 1}
    if len(lengths) > 1:
        raise node.error(f"the list fields of {what} must have the same length, got {sorted(lengths)}")
    return tuple(fields)


def _attribute(name: str, node: Node) -> Attribute:
    node.check_keys({"description", "reference", "groups"}, f"attribute {name!r}")
    description = node.get("description")
    groups_node = node.require("groups", f"attribute {name!r}")
    groups = tuple(AttributeGroup(g, _fields(n, name, g)) for g, n in groups_node.mapping(f"groups of {name!r}"))
    if len(groups) < 2:
        raise groups_node.error(f"attribute {name!r} needs at least two groups to compare")
    expected = {f for f, _ in groups[0].fields}
    for group, (_, group_node) in zip(groups, groups_node.mapping("groups"), strict=True):
        have = {f for f, _ in group.fields}
        if have != expected:
            missing, extra = sorted(expected - have), sorted(have - expected)
            detail = f"missing {missing}" if missing else f"extra {extra}"
            raise group_node.error(
                f"group {group.name!r} of {name!r} must give the same fields as {groups[0].name!r}: {detail}"
            )
    reference_node = node.require("reference", f"attribute {name!r}")
    reference = reference_node.text("reference")
    if reference not in {g.name for g in groups}:
        raise reference_node.error(f"reference {reference!r} is not a group of {name!r}")
    ordered = tuple(sorted(groups, key=lambda g: g.name != reference))  # reference first, others in file order
    return Attribute(name, description.text("description") if description else "", reference, ordered)


def parse_word_lists(root: Node) -> WordLists:
    root.check_keys({"format", "attributes"}, "the word lists")
    _check_format(root)
    attributes_node = root.require("attributes", "the word lists")
    attributes = tuple(_attribute(name, node) for name, node in attributes_node.mapping("attributes"))
    if not attributes:
        raise attributes_node.error("no attributes defined")
    return WordLists(attributes, root.source)


def load_word_lists(path: str | Path = BUILTIN) -> WordLists:
    """Word lists from a YAML/JSON file, or the shipped ones (``"builtin"``)."""
    if str(path) == BUILTIN:
        return parse_word_lists(parse_text(_builtin_text("bias_words.yaml"), "builtin:bias_words.yaml"))
    return parse_word_lists(read_file(path))


def _check_format(root: Node) -> None:
    found = root.get("format")
    if found is not None and found.integer("format") != 1:
        raise found.error("only format 1 is known")


def _placeholders(text: str, node: Node) -> tuple[str, ...]:
    names: list[str] = []
    for match in _PLACEHOLDER.finditer(text):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        if match.group(1) is None:
            raise node.error(f"stray {token!r} in the text (write {token * 2} for a literal brace)")
        names.append(match.group(1))
    return tuple(names)


def _template(node: Node, words: WordLists, seen: set[str]) -> BiasTemplate:
    node.check_keys(_TEMPLATE_KEYS, "a template")
    id_node = node.require("id", "a template")
    tid = id_node.text("id")
    if not _IDENTIFIER.match(tid):
        raise id_node.error(f"template id {tid!r} must be letters, digits, '_', '.' or '-'")
    if tid in seen:
        raise id_node.error(f"duplicate template id {tid!r}")
    what = f"template {tid!r}"
    attribute_node = node.require("attribute", what)
    attribute = words.get(attribute_node.text("attribute"))
    if attribute is None:
        name = attribute_node.text("attribute")
        close = difflib.get_close_matches(name, words.names(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise attribute_node.error(f"unknown attribute {name!r}{hint}; the word lists define {list(words.names())}")
    text_node = node.require("text", what)
    text = text_node.text("text")
    slots_node = node.get("slots")
    slots: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if slots_node is not None:
        slots = tuple((s, v.texts(f"slot {s!r}", allow_scalar=True)) for s, v in slots_node.mapping("slots"))
    slot_lines = dict(slots_node.key_lines) if slots_node is not None else {}
    for slot, _ in slots:
        if slot in attribute.fields:
            raise InputError(
                f"slot {slot!r} of {what} clashes with a field of attribute {attribute.name!r}",
                where=f"{node.source}:{slot_lines.get(slot, node.line)}",
            )
    used = _placeholders(text, text_node)
    known = {*attribute.fields, *(s for s, _ in slots)}
    for name in used:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean {{{close[0]}}}?)" if close else ""
            raise text_node.error(
                f"unknown slot {{{name}}} in {what}{hint}: not a field of attribute {attribute.name!r} "
                f"({', '.join(attribute.fields)}) nor a slot listed under 'slots'"
            )
    if not set(used) & set(attribute.fields):
        raise text_node.error(
            f"the text of {what} never uses attribute {attribute.name!r} (fields: {', '.join(attribute.fields)}), "
            "so the audit would change nothing"
        )
    for slot, _ in slots:
        if slot not in used:
            raise InputError(
                f"slot {slot!r} of {what} is never used in the text",
                where=f"{node.source}:{slot_lines.get(slot, node.line)}",
            )
    options_node = node.get("options")
    options = options_node.texts("options") if options_node is not None else ("yes", "no")
    if len(options) < 2 or len(set(options)) != len(options):
        raise (options_node or node).error(f"options of {what} must be at least two distinct answers")
    favourable_node = node.get("favourable")
    favourable = favourable_node.text("favourable") if favourable_node is not None else options[0]
    if favourable not in options:
        raise (favourable_node or node).error(f"favourable answer {favourable!r} is not one of the options {options}")
    groups = _groups(node, attribute, what)
    domain_node, note_node = node.get("domain"), node.get("note")
    seen.add(tid)
    return BiasTemplate(
        id=tid,
        domain=domain_node.text("domain") if domain_node else "",
        attribute=attribute,
        text=text,
        options=options,
        favourable=favourable,
        slots=slots,
        groups=groups,
        note=note_node.text("note") if note_node else "",
        where=node.where,
    )


def _groups(node: Node, attribute: Attribute, what: str) -> tuple[str, ...]:
    groups_node, reference_node = node.get("groups"), node.get("reference")
    groups = groups_node.texts("groups") if groups_node is not None else attribute.group_names
    for group in groups:
        if group not in attribute.group_names:
            assert groups_node is not None
            raise groups_node.error(f"{attribute.name!r} has no group {group!r} (groups: {attribute.group_names})")
    reference = reference_node.text("reference") if reference_node is not None else attribute.reference
    if reference not in groups:
        raise (reference_node or groups_node or node).error(
            f"the reference group {reference!r} of {what} must be one of its groups {groups}"
        )
    if len(set(groups)) != len(groups) or len(groups) < 2:
        raise (groups_node or node).error(f"{what} needs at least two distinct groups")
    return (reference, *(g for g in groups if g != reference))


def parse_templates(root: Node, words: WordLists | None = None, base: Path | None = None) -> TemplateSet:
    """Templates from a parsed file; ``words`` overrides the file's own ``words:`` entry."""
    root.check_keys({"format", "templates", "words"}, "the templates file")
    _check_format(root)
    if words is None:
        words_node = root.get("words")
        if words_node is None:
            words = load_word_lists(BUILTIN)
        else:
            location = words_node.text("words")
            path = Path(location)
            if location != BUILTIN and not path.is_absolute() and base is not None:
                path = base / path
            words = load_word_lists(BUILTIN if location == BUILTIN else path)
    seen: set[str] = set()
    templates_node = root.require("templates", "the templates file")
    templates = tuple(_template(n, words, seen) for n in templates_node.items("templates"))
    return TemplateSet(templates, words, root.source)


def load_templates(path: str | Path = BUILTIN, words: WordLists | str | Path | None = None) -> TemplateSet:
    """Templates from a YAML/JSON file, or the 20 shipped ones (``"builtin"``).

    Word lists come from ``words`` (a loaded :class:`WordLists` or a path), else from the file's ``words:``
    entry (relative to the file), else the shipped lists.
    """
    lists = words if isinstance(words, WordLists) or words is None else load_word_lists(words)
    if str(path) == BUILTIN:
        root = parse_text(_builtin_text("bias_templates.yaml"), "builtin:bias_templates.yaml")
        return parse_templates(root, lists)
    return parse_templates(read_file(path), lists, Path(path).parent)
