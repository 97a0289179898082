"""How the variables of a ladder question are named: the naming modes of :data:`NAMING_MODES`.

Every variable becomes a :class:`Concept`: a noun for the variable ("smoking") and a clause for each of its two
states ("the person smokes" / "the person does not smoke"). Texts are built only from those three strings, so a
theme is pure data (:mod:`.themes_simple`, :mod:`.themes_mediated`: edit or extend them there).

* ``story`` and ``commonsense``: a theme written for the template, whose causal story agrees with common sense.
* ``anticommonsense``: the same theme with the concepts of X and of one of its effects swapped (the outcome Y,
  or the collider when Y is not an effect of X), so the stated story runs *against* common sense ("lung cancer
  causes smoking"): a model that answers from memory rather than from the stated graph gets these wrong.
* ``nonsense``: made-up tokens ("zupv"), drawn with the seed; ``symbolic``: the template's letters (``X = 1``);
  ``user``: the graph's own node names.
"""

from __future__ import annotations

import numpy as np

from causalbridge.bench.generate.ladder.concepts import Concept, Theme
from causalbridge.bench.generate.ladder.templates import GraphTemplate
from causalbridge.bench.generate.ladder.themes_mediated import MEDIATED_THEMES
from causalbridge.bench.generate.ladder.themes_simple import SIMPLE_THEMES
from causalbridge.errors import InputError

#: Every shipped theme, in order.
THEMES: tuple[Theme, ...] = (*SIMPLE_THEMES, *MEDIATED_THEMES)


def themes_for(template: str) -> tuple[Theme, ...]:
    return tuple(t for t in THEMES if t.template == template)


def anti_pair(template: GraphTemplate) -> tuple[str, str] | None:
    """The two nodes whose concepts anticommonsense mode swaps: X and Y when Y is an effect of X, otherwise X
    and X's first child (the collider); ``None`` when X has no effect at all."""
    g, x = template.graph, template.treatment
    if template.outcome in g.descendants(x):
        return x, template.outcome
    children = [v for v in g.nodes if v in g.children(x)]
    return (x, children[0]) if children else None


_CONSONANTS = "bcdfghjklmnpqrstvwxz"
_VOWELS = "aeiouy"


def nonsense_tokens(count: int, rng: np.random.Generator) -> tuple[str, ...]:
    """``count`` distinct pronounceable non-words (consonant, vowel, consonant, consonant: "zupv", "kwox")."""
    out: list[str] = []
    while len(out) < count:
        c1, c2, c3 = (str(_CONSONANTS[int(i)]) for i in rng.integers(len(_CONSONANTS), size=3))
        token = c1 + str(_VOWELS[int(rng.integers(len(_VOWELS)))]) + c2 + c3
        if token not in out:
            out.append(token)
    return tuple(out)


def _literal(nodes: tuple[str, ...], on: str, off: str) -> dict[str, Concept]:
    return {v: Concept(v, on.format(v=v), off.format(v=v)) for v in nodes}


def assign_names(
    naming: str, template: GraphTemplate, rng: np.random.Generator, theme: Theme | None = None
) -> tuple[dict[str, Concept], Theme | None]:
    """The concept of every node under ``naming``, and the theme used (``None`` for non-story modes).

    Story modes use ``theme`` when given (it must be written for ``template``), else a random one of its themes.
    """
    nodes = template.graph.nodes
    if naming == "symbolic":
        return _literal(nodes, "{v} = 1", "{v} = 0"), None
    if naming == "user":
        return _literal(nodes, "{v} is present", "{v} is absent"), None
    if naming == "nonsense":
        tokens = nonsense_tokens(len(nodes), rng)
        return {
            v: Concept(tok, f"{tok} is present", f"{tok} is absent") for v, tok in zip(nodes, tokens, strict=True)
        }, None
    if naming not in ("story", "commonsense", "anticommonsense"):
        raise InputError(f"unknown naming mode {naming!r}", where="naming")
    options = themes_for(template.name)
    if not options:
        raise InputError(
            f"naming {naming!r} needs themes written for the template, and {template.name!r} has none; "
            "use 'symbolic', 'nonsense' or 'user'",
            where="naming",
        )
    if theme is None:
        theme = options[int(rng.integers(len(options)))]
    elif theme not in options:
        raise InputError(f"theme {theme.id!r} is not written for template {template.name!r}", where="theme")
    names = dict(theme.concepts)
    if naming == "anticommonsense":
        pair = anti_pair(template)
        if pair is None:
            raise InputError(f"template {template.name!r}: X has no effect to swap with", where="naming")
        a, b = pair
        names[a], names[b] = names[b], names[a]
    return names, theme
