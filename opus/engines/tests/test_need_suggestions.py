"""Needs suggested from a service's own words: labels, extra words and search synonyms."""

import pytest

from opus.engines.need_suggestions import NeedCues, Suggestion, cues_for, prepare, stem, suggest

NEEDS = [
    NeedCues("befriending", "Befriending", ("visit", "a chat")),
    NeedCues("social-isolation", "Loneliness and social isolation", ("company",)),
    NeedCues("benefits-advice", "Benefits advice"),
    NeedCues("debt-advice", "Debt advice"),
    NeedCues("housing-advice", "Housing advice"),
    NeedCues("walking-groups", "Walking groups"),
    NeedCues("dementia-support", "Dementia support"),
]
SYNONYMS = {
    "lonely": ["loneliness", "social isolation", "befriending"],
    "memory": ["dementia"],
    "money": ["benefits", "debt", "bills"],
}


def run(name: str, description: str = "", audience: str = "", **kw: object) -> list[Suggestion]:
    return suggest(
        name=name, description=description, audience=audience, needs=NEEDS, synonyms=SYNONYMS, **kw
    )


def test_a_befriending_description_without_the_word_is_suggested_befriending():
    found = run(
        "Friendly Visits",
        "Volunteers visit lonely older people at home for a chat and a cup of tea.",
        "Older people",
    )
    assert found[0] == Suggestion("befriending", 1.0, ("visit", "a chat", "lonely"))
    # "lonely" leads to two needs (each gets half of it); social isolation has nothing else
    assert [s.code for s in found] == ["befriending"]


def test_a_word_in_the_name_counts_twice_a_word_in_the_description_and_four_times_the_audience():
    assert run("Dementia café")[0].score == 1.0
    assert run("Café", "For people living with dementia")[0].score == 0.5
    assert run("Café", "", "People with dementia") == []  # 0.25: under the threshold
    assert run("Café", "", "People with dementia", threshold=0.25)[0].score == 0.25


def test_words_shared_by_several_needs_weigh_less_and_synonyms_lead_one_way():
    found = run("Advice line", "Free advice on benefits, debt and housing.")
    # "advice" is in three labels: a third of 1 (name) each; benefits, debt, housing 0.5 each
    assert [(s.code, s.score) for s in found] == [
        ("benefits-advice", 0.833),
        ("debt-advice", 0.833),
        ("housing-advice", 0.833),
    ]
    assert "money" in cues_for(NEEDS[2], SYNONYMS)  # people say money, services benefits
    money = cues_for(NeedCues("money-management", "Managing money and bills"), SYNONYMS)
    assert "debt" not in money and "benefits" not in money  # not from a people's word onwards
    assert "memory" in cues_for(NEEDS[6], SYNONYMS)  # people say memory, services dementia


def test_stems_take_off_plurals_and_possessives():
    assert [stem(w) for w in ("carers'", "Groups", "activities", "class", "bus")] == [
        "carer", "group", "activity", "class", "bus",
    ]  # fmt: skip
    assert run("Memory Café", "A café for carers")[0].code == "dementia-support"


def test_nothing_matched_gives_nothing_and_the_order_is_stable():
    assert run("Woodwork", "Tools and a workshop") == []
    assert run("Advice", limit=1) == run("Advice", limit=1)
    assert len(run("Advice line", "benefits debt housing", limit=2)) == 2


@pytest.mark.parametrize("kw", [{"threshold": 0}, {"threshold": 1.5}, {"limit": 0}])
def test_bad_settings_are_refused(kw):
    with pytest.raises(ValueError):
        run("Anything", **kw)


def test_needs_prepared_once_score_as_needs_given_each_time():
    prepared = prepare(NEEDS, SYNONYMS)
    text = ("Friendly Visits", "Volunteers visit lonely people; advice on debt.", "Carers")
    given = suggest(name=text[0], description=text[1], audience=text[2], needs=prepared)
    assert given == run(*text)
