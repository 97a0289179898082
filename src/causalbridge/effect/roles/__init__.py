"""Step 1 of effect estimation: the role of every variable (confounder, mediator, ...) from a language model.

:func:`suggest_roles` asks a :class:`~causalbridge.llm.Backend` five yes/no questions per variable, turns the
answers into a probability for each role, adds a one-sentence rationale, applies the user's overrides (which
win, and are recorded as such) and proposes a graph that :func:`causalbridge.effect.identify` can use. Variables
whose adjustment would bias the estimate (descendants of the treatment, colliders) are flagged as bad controls.
"""

from causalbridge.effect.roles.overrides import (
    EdgeOverride,
    RoleOverride,
    RoleOverrides,
    normalise_role,
    parse_role_overrides,
    read_role_overrides,
)
from causalbridge.effect.roles.questions import (
    FACTS,
    ROLE_MEANINGS,
    ROLES,
    UNKNOWN,
    Fact,
    claim_for,
    role_probabilities,
    true_role,
    true_roles,
)
from causalbridge.effect.roles.suggest import suggest_roles, suggest_roles_async
from causalbridge.effect.roles.table import EdgeSource, RoleTable, VariableRole

__all__ = [
    "FACTS",
    "ROLES",
    "ROLE_MEANINGS",
    "UNKNOWN",
    "EdgeOverride",
    "EdgeSource",
    "Fact",
    "RoleOverride",
    "RoleOverrides",
    "RoleTable",
    "VariableRole",
    "claim_for",
    "normalise_role",
    "parse_role_overrides",
    "read_role_overrides",
    "role_probabilities",
    "suggest_roles",
    "suggest_roles_async",
    "true_role",
    "true_roles",
]
