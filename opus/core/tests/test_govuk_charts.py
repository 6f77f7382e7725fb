"""Charts have a value axis with labelled round-number ticks, and never tell series apart by
colour alone; each keeps its data table and CSV download."""

import re

import pytest

from opus.core.charts import (
    gradient_chart,
    horizontal_bars,
    interval_bars,
    nice_top,
    pyramid,
    tick_label,
)
from opus.testing import create_area


@pytest.mark.parametrize(
    ("maximum", "step", "top"),
    [(79, 20, 80), (100, 20, 100), (7, 2, 8), (0.37, 0.1, 0.4), (1234, 250, 1250), (0, 1, 1)],
)
def test_the_axis_ends_at_a_round_number_at_or_above_the_largest_value(maximum, step, top):
    assert nice_top(maximum) == pytest.approx((step, top))


def test_tick_labels_have_the_decimals_the_step_needs():
    assert [tick_label(v, s) for v, s in [(0.4, 0.2), (0.5, 0.25), (1250, 250), (80, 20)]] == [
        "0.4", "0.50", "1,250", "80"]  # fmt: skip


def test_every_chart_has_a_value_axis_from_zero_covering_its_bars():
    bars = horizontal_bars([("Income", 0.31), ("Health", 1.2)], 1.2)
    labels = [t["label"] for t in bars["axis"]["ticks"]]
    assert labels == ["0.00", "0.25", "0.50", "0.75", "1.00", "1.25"]
    assert bars["axis"]["ticks"][0]["pos"] == bars["bars"][0]["x"]
    widest = max(b["x"] + b["w"] for b in bars["bars"])
    assert widest <= bars["axis"]["ticks"][-1]["pos"]
    rows = [{"label": "A", "value": 12.0, "lower": 10.0, "upper": 14.5, "tone": "worse"}]
    interval = interval_bars(rows, 11.0)
    assert interval["axis"]["ticks"][-1]["label"] == "15" and interval["height"] > len(rows) * 14
    gradient = gradient_chart([5.0, 3.0], [4.0, 2.0], [6.0, 4.0], (5.5, 2.5))
    axis = gradient["axis"]
    assert axis["vertical"] and axis["ticks"][0]["label"] == "0"
    assert axis["ticks"][0]["pos"] == gradient["base_y"] and gradient["line_label"]
    people = pyramid([{"band": "0-4", "male": 40, "female": 39}])
    assert [a["ticks"][-1]["label"] for a in people["axes"]] == ["40", "40"]
    assert people["axes"][0]["ticks"][-1]["pos"] == 0  # males run leftwards to the edge


@pytest.mark.django_db
def test_the_area_page_labels_its_series_and_axes_and_keeps_its_table_and_csv(client):
    create_area(code="E01900123", name="Testtown 001", imd_domains={"income": 0.31})
    page = client.get("/areas/E01900123/").content.decode()
    pyramid_svg = page[page.index('aria-labelledby="pyramid-caption"') :]
    pyramid_svg = pyramid_svg[: pyramid_svg.index("</svg>")]
    assert "Males" in pyramid_svg and "Females (hatched)" in pyramid_svg
    assert "opus-hatched-female" in pyramid_svg and "url(#opus-hatch-female)" not in page
    assert len(re.findall(r'class="opus-tick"', page)) >= 6
    assert 'id="population-table"' in page and "population.csv" in page


@pytest.mark.django_db
def test_the_diversity_chart_has_an_axis_in_percent(client):
    page = client.get("/commissioning/diversity/").content.decode()
    assert 'class="opus-value-axis"' in page and ">100</text>" in page
    assert "diversity.csv" in page
