"""The discovery prompt templates: every one renders, names its version, and carries the variables' meaning."""

from __future__ import annotations

from importlib import resources

import pytest

from causalbridge.data import Network
from causalbridge.discover import PromptContext, prompting, render
from causalbridge.discover.questions import Asker, DirectionRequest
from causalbridge.errors import InputError
from causalbridge.llm import SimulatedExpert

TEMPLATES = [
    prompting.DIRECTION,
    prompting.DIRECTION_PARAPHRASE,
    prompting.DIRECT_CAUSE,
    prompting.BFS_ROOTS,
    prompting.BFS_EFFECTS,
    prompting.WHOLE_GRAPH,
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_is_a_versioned_file(template: str) -> None:
    assert template.startswith("discovery_") and template.rsplit("_", 1)[1].startswith("v")
    assert resources.files("causalbridge").joinpath("prompts", f"{template}.txt").is_file()


def test_pair_prompts_show_descriptions_in_the_asked_order(asia: Network) -> None:
    context = PromptContext(asia.variables, asia.domain)
    text = context.pair(prompting.DIRECTION, "smoke", "lung")
    assert text.startswith("Domain: ") and asia.description_of("smoke") in text
    assert "A. smoke directly causes lung." in text and "B. lung directly causes smoke." in text
    swapped = context.pair(prompting.DIRECTION, "lung", "smoke")
    assert "A. lung directly causes smoke." in swapped and swapped != text
    paraphrase = context.pair(prompting.DIRECTION_PARAPHRASE, "smoke", "lung")
    assert "Setting smoke would change lung" in paraphrase and paraphrase != text
    assert not PromptContext(asia.variables).pair(prompting.DIRECTION, "smoke", "lung").startswith("Domain")


def test_render_refuses_missing_fields_and_unknown_templates() -> None:
    with pytest.raises(InputError, match="needs the field"):
        render(prompting.BFS_EFFECTS, context="", variables="- a")
    with pytest.raises(InputError, match="no prompt template"):
        render("discovery_nonsense_v9")


def test_questions_carry_claims_the_simulated_expert_answers(asia: Network) -> None:
    asker = Asker(SimulatedExpert(asia.graph, accuracy=1.0), PromptContext(asia.variables))
    right, wrong_way, unrelated = asker.directions(
        [DirectionRequest("smoke", "lung"), DirectionRequest("lung", "smoke"), DirectionRequest("asia", "smoke")]
    )
    assert right.vote("smoke", "lung") == 1 and wrong_way.vote("smoke", "lung") == 1
    assert unrelated.vote("asia", "smoke") == 0
    assert asker.usage.queries == 3 and asker.abstentions == 0
    (yes,) = asker.yes_no([("smoke", "lung")])
    assert yes.p_yes is not None and yes.p_yes > 0.9
