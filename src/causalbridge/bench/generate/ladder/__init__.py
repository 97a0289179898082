"""CLadder-style questions on the three rungs of Pearl's ladder, with answers computed exactly.

From a graph template (chain, fork, collider, confounding, mediation, instrument, frontdoor, diamond, or any
user DAG over binary variables) a seeded model is drawn and asked questions whose yes/no answers come from
:class:`~causalbridge.scm.DiscreteSCM`: rung 1 marginal, correlation and explaining-away comparisons; rung 2
average-effect signs, backdoor-adjustment choices and collider bias; rung 3 effect of treatment on the treated,
natural direct and indirect effects and unit-level counterfactuals (under the monotone coupling, stated in
every rung-3 derivation). The text states exactly the numbers the identification formula needs, and every
answer also follows from those printed (rounded) numbers.

>>> ds = generate_ladder(4, seed=0, naming="symbolic", templates=["confounding"])
>>> len(ds), ds[0].options
(4, ('yes', 'no'))
"""

from causalbridge.bench.generate.ladder.concepts import Concept, Theme
from causalbridge.bench.generate.ladder.drafts import QUERY_TYPES, RUNGS, Draft
from causalbridge.bench.generate.ladder.generator import answer_of, generate_ladder, make_item
from causalbridge.bench.generate.ladder.model import LadderModel
from causalbridge.bench.generate.ladder.naming import THEMES, anti_pair, assign_names, themes_for
from causalbridge.bench.generate.ladder.queries import applicable, build
from causalbridge.bench.generate.ladder.templates import TEMPLATES, GraphTemplate, draw_cpts

__all__ = [
    "QUERY_TYPES",
    "RUNGS",
    "TEMPLATES",
    "THEMES",
    "Concept",
    "Draft",
    "GraphTemplate",
    "LadderModel",
    "Theme",
    "answer_of",
    "anti_pair",
    "applicable",
    "assign_names",
    "build",
    "draw_cpts",
    "generate_ladder",
    "make_item",
    "themes_for",
]
