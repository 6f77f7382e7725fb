import pytest

from opus.engines.allocation import Answer, Question, Ras, RasError, calculate, validate

RAS = Ras(
    questions=(
        Question("wash", "Personal care", "Washing", (Answer("Alone", 0), Answer("Help", 10))),
        Question("dress", "Personal care", "Dressing", (Answer("Alone", 0), Answer("Help", 8))),
        Question("out", "Social", "Going out", (Answer("Alone", 0), Answer("Help", 5))),
    ),
    price_per_point_pence=250_00,
    minimum_pence=1_000_00,
    maximum_pence=4_000_00,
    domain_caps={"Personal care": 12},
)


def test_points_are_capped_per_domain_and_priced():
    calc = calculate(RAS, {"wash": 1, "dress": 1, "out": 0})
    assert [(d.domain, d.points, d.counted) for d in calc.domains] == [
        ("Personal care", 18, 12),
        ("Social", 0, 0),
    ]
    assert calc.raw_pence == 12 * 250_00 == calc.indicative_pence
    assert calc.notes == ("Personal care: 18 points, capped at 12",)


def test_minimum_and_maximum_apply_and_are_explained():
    low = calculate(RAS, {"wash": 0, "dress": 0, "out": 0})
    assert low.indicative_pence == 1_000_00 and "minimum" in low.notes[-1]
    uncapped = Ras(RAS.questions, 250_00, 0, 3_000_00)
    high = calculate(uncapped, {"wash": 1, "dress": 1, "out": 1})
    assert high.raw_pence == 23 * 250_00 and high.indicative_pence == 3_000_00


def test_a_missing_or_impossible_answer_names_the_question():
    with pytest.raises(RasError) as missing:
        calculate(RAS, {"wash": 1, "dress": 0})
    assert missing.value.field == "out"
    with pytest.raises(RasError) as impossible:
        calculate(RAS, {"wash": 2, "dress": 0, "out": 0})
    assert impossible.value.field == "wash"


def test_validation_refuses_a_broken_ras():
    validate(RAS)
    with pytest.raises(RasError):
        validate(Ras(RAS.questions, 0))
    with pytest.raises(RasError):
        validate(Ras(RAS.questions + RAS.questions[:1], 100))
    with pytest.raises(RasError):
        validate(Ras(RAS.questions, 100, 500, 400))
