"""`make cost` (ops/tasks_ops/cost/report.py): the printed terms add up to the printed totals, a price
changes the total by its own term, and every price says where it came from."""

import datetime
import io
import json
import re
from dataclasses import replace

import pytest

from tasks_ops.cost import report as cost

TABLE = cost.PRICING / "us-east-1.json"
_ROW = re.compile(r"^  (\S.*?)\s{2,}.*\s(-?\d+\.\d{4})$")
_SUM = re.compile(r"^  sum\s+(-?\d+\.\d{4})$")


@pytest.fixture(scope="module")
def inputs():
    prices, table = cost.load_prices(TABLE)
    return {
        "prices": prices,
        "table": table,
        "measured": cost.load_measured(),
        "traffic": cost.Traffic(),
        "facts": cost.stack_facts(),
    }


def _printed(inputs):
    out = io.StringIO()
    totals = cost.report(**inputs, out=out)
    return out.getvalue(), totals


def _sections(text):
    """Each table's term costs and its printed sum."""
    sections, terms = [], []
    for line in text.splitlines():
        if match := _SUM.match(line):
            sections.append((terms, float(match[1])))
            terms = []
        elif match := _ROW.match(line):
            terms.append(float(match[2]))
    return sections


def test_each_printed_sum_is_the_sum_of_the_terms_printed_above_it(inputs):
    text, _ = _printed(inputs)

    sections = _sections(text)

    assert len(sections) == 3
    for terms, printed_sum in sections:
        assert len(terms) > 3
        assert sum(terms) == pytest.approx(printed_sum, abs=0.0001 * len(terms))


def test_the_totals_are_the_sums_of_the_tables(inputs):
    text, totals = _printed(inputs)
    (_, per_million), (_, low), (_, fixed) = _sections(text)

    assert f"total per million task writes: ${per_million:,.2f}" in text
    assert f"${low + fixed:,.2f} (usage ${low:,.2f} + fixed ${fixed:,.2f})" in text
    assert totals["per_million"] == pytest.approx(per_million, abs=0.0001)


def test_a_changed_price_changes_the_total_by_exactly_its_own_term(inputs):
    _, before = _printed(inputs)
    usage = cost.usage_per_write(inputs["measured"], inputs["traffic"])
    wru = next(
        t for t in cost.usage_terms(usage, cost.MILLION, inputs["facts"]) if t.name == "DynamoDB writes"
    )
    doubled = dict(inputs["prices"])
    old = doubled["dynamodb_write_request_unit"]
    doubled["dynamodb_write_request_unit"] = replace(old, usd=old.usd * 2)

    _, after = _printed({**inputs, "prices": doubled})

    assert after["per_million"] - before["per_million"] == pytest.approx(wru.cost(inputs["prices"]))
    assert after["fixed"] == before["fixed"]


def test_a_monthly_price_changes_only_the_fixed_part(inputs):
    _, before = _printed(inputs)
    prices = dict(inputs["prices"])
    prices["kms_key_month"] = replace(prices["kms_key_month"], usd=2.0)

    _, after = _printed({**inputs, "prices": prices})

    assert after["fixed"] - before["fixed"] == pytest.approx(inputs["facts"]["kms_keys"] * 1.0)
    assert after["per_million"] == before["per_million"]


def test_every_price_is_dated_and_names_the_aws_page_it_came_from():
    table = json.loads(TABLE.read_text())

    datetime.date.fromisoformat(table["checked_on"])
    assert table["region"] == "us-east-1"
    for key, price in table["prices"].items():
        assert price["source"].startswith("https://aws.amazon.com/"), key
        assert price["usd"] >= 0, key
        assert price["per"] > 0, key


def test_a_price_without_its_source_is_refused_naming_it(tmp_path):
    table = json.loads(TABLE.read_text())
    del table["prices"]["sqs_standard_request"]["source"]
    (tmp_path / "x.json").write_text(json.dumps(table))

    with pytest.raises(cost.CostError, match="sqs_standard_request lacks source"):
        cost.load_prices(tmp_path / "x.json")


def test_the_durations_and_counts_are_the_benchs_measurements(inputs):
    measured = inputs["measured"]

    assert measured["command"].startswith(".venv/bin/python -m bench.pipeline_costs")
    assert set(measured["writes"]) == {"create", "update", "complete", "delete"}
    assert measured["approval"]["outcome"] == "SUCCEEDED"
    assert set(measured["manifests"]) == {p.parent.name for p in cost.manifest_paths()}


def test_lambda_duration_is_mean_milliseconds_rounded_up_times_memory(inputs):
    create = inputs["measured"]["writes"]["create"]["tasks-api"]
    memory = inputs["measured"]["manifests"]["tasks-api"]["memory_mb"]
    usage = cost.write_usage(inputs["measured"], "create", cost.design_write_units())

    expected = create["invocations_per_write"] * -(-create["duration_ms_mean"] // 1) / 1000 * memory / 1024
    assert usage.gb_seconds["tasks-api"] == pytest.approx(expected)


def test_xray_records_every_request_below_one_a_second_and_five_percent_above():
    assert cost.xray_sampled_share(0.4) == 1.0
    assert cost.xray_sampled_share(11) == pytest.approx((1 + 0.05 * 10) / 11)


def test_the_stack_keeps_xray_s_default_sampling_rule_the_model_assumes(inputs):
    assert inputs["facts"]["xray_default_sampling"]
