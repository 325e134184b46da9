"""`make cost` (ops/tasks_ops/cost/report.py): the printed terms add up to the printed totals, a price
changes the total by its own term, every price says where it came from, each environment is priced as its
tfvars configure it, and the write units measured are the write units designed (write_units.py)."""

import datetime
import io
import json
import re
from dataclasses import replace

import hcl2
import pytest

from tasks_ops.cost import report as cost
from tasks_ops.cost import write_units as wu
from tests.contract.terraform import INFRA, blocks

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
        "facts": cost.stack_facts("prod"),
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
    usage = cost.write_usage(inputs["measured"], "create")

    expected = create["invocations_per_write"] * -(-create["duration_ms_mean"] // 1) / 1000 * memory / 1024
    assert usage.gb_seconds["tasks-api"] == pytest.approx(expected)


def test_a_sampling_rule_records_its_reservoir_each_second_then_its_rate_of_the_rest():
    rule = {"reservoir_per_second": 1, "fixed_rate": 0.05}

    assert cost.xray_sampled_share(0.4, rule) == 1.0
    assert cost.xray_sampled_share(11, rule) == pytest.approx((1 + 0.05 * 10) / 11)
    assert cost.xray_sampled_share(11, {"reservoir_per_second": 0, "fixed_rate": 0.05}) == 0.05


def _tfvars(env):
    return hcl2.loads(
        (INFRA / "envs" / env / "terraform.tfvars").read_text(),
        serialization_options=hcl2.SerializationOptions(strip_string_quotes=True),
    )


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_each_environment_is_priced_with_the_profile_and_tracing_its_tfvars_set(env):
    facts = cost.stack_facts(env)

    assert (facts["profile"], facts["tracing"]) == (_tfvars(env)["profile"], _tfvars(env)["tracing"])


def test_the_sampling_rule_and_the_functions_mode_terraform_applies_are_the_tfvars_tracing():
    rule = blocks("observability", "resource")["aws_xray_sampling_rule.this"]
    stack = blocks("stack", "module")
    function = blocks("function", "resource")["aws_lambda_function.this"]

    assert (rule["reservoir_size"], rule["fixed_rate"]) == (
        "${var.sampling.reservoir_per_second}",
        "${var.sampling.fixed_rate}",
    )
    assert stack["observability"]["sampling"] == {
        "reservoir_per_second": "${var.tracing.reservoir_per_second}",
        "fixed_rate": "${var.tracing.fixed_rate}",
    }
    assert function["tracing_config"][0]["mode"] == "${var.tracing_mode}"
    assert stack["function"]["tracing_mode"] == "${var.tracing.lambda_mode}"


def _trace_terms(inputs, tracing):
    facts = {**inputs["facts"], "tracing": tracing}
    usage = cost.usage_per_write(inputs["measured"], inputs["traffic"])
    terms = cost.usage_terms(usage, cost.MILLION, facts)
    return {term.name: term.quantity for term in terms if term.name.startswith("X-Ray")}


def test_functions_passing_tracing_through_record_no_traces_of_their_own(inputs):
    traces = _trace_terms(
        inputs, {"lambda_mode": "PassThrough", "reservoir_per_second": 0, "fixed_rate": 0.05}
    )

    assert traces["X-Ray traces, functions"] == 0


def test_active_functions_are_sampled_at_lambdas_own_rate_whatever_the_rule(inputs):
    low = _trace_terms(inputs, {"lambda_mode": "Active", "reservoir_per_second": 0, "fixed_rate": 0.01})
    high = _trace_terms(inputs, {"lambda_mode": "Active", "reservoir_per_second": 5, "fixed_rate": 0.5})

    assert low["X-Ray traces, functions"] == high["X-Ray traces, functions"] > 0


def test_the_workflows_traces_follow_the_environments_rule(inputs):
    five = _trace_terms(inputs, {"lambda_mode": "PassThrough", "reservoir_per_second": 0, "fixed_rate": 0.05})
    ten = _trace_terms(inputs, {"lambda_mode": "PassThrough", "reservoir_per_second": 0, "fixed_rate": 0.10})

    assert ten["X-Ray traces, workflow"] == pytest.approx(2 * five["X-Ray traces, workflow"])


def test_an_environment_without_its_own_keys_keeps_only_the_topics_key_no_aws_key_serves(inputs):
    facts = cost.stack_facts("dev")

    fixed = {term.name: term.quantity for term in cost.fixed_terms(facts, inputs["measured"])}

    assert not facts["profile"]["customer_managed_keys"]
    assert (fixed["KMS customer managed keys"], facts["kms_key_kinds"]) == (1, ["topics"])


def test_an_environment_without_dashboard_or_custom_metrics_pays_for_neither(inputs):
    facts = cost.stack_facts("dev")

    fixed = {term.name: term.quantity for term in cost.fixed_terms(facts, inputs["measured"])}

    assert not facts["profile"]["dashboard"]
    assert not facts["profile"]["custom_metrics"]
    assert (fixed["CloudWatch dashboard"], fixed["CloudWatch custom metrics (EMF)"]) == (0, 0)


def test_rollback_alarms_are_each_functions_errors_a_stream_readers_iterator_age_and_the_apis_two():
    manifests = list(cost.manifest_paths())
    readers = [path for path in manifests if "stream:" in path.read_text()]

    alarms = cost.stack_facts("dev")["alarms"]

    assert sum(alarms.values()) == len(manifests) + len(readers) + 2


def test_without_an_environment_make_cost_prints_the_three_bills_totals(inputs):
    out = io.StringIO()

    assert cost.main(None, out=out) == 0

    rows = {line.split()[0]: line.split()[1:] for line in out.getvalue().splitlines()[1:4]}
    for env in ("dev", "staging", "prod"):
        totals = cost.report(**{**inputs, "facts": cost.stack_facts(env)}, out=io.StringIO())
        assert rows[env][:2] == [f"{totals['per_million']:,.2f}", f"{totals['fixed']:,.2f}"]


# --- write units: the design (write_units.py) and the measurement (bench.pipeline_costs) ----------------


def test_the_design_and_the_measurement_agree_on_write_units_kind_by_kind_and_table_by_table(inputs):
    measured = cost.measured_write_units(inputs["measured"])

    designed = wu.priced(wu.lifecycle())

    assert {
        kind: {t: (u.table, u.indexes) for t, u in units.items() if u.total}
        for kind, units in designed.items()
    } == {
        kind: {t: (u.table, u.indexes) for t, u in units.items() if u.total}
        for kind, units in measured.items()
    }


def test_the_design_and_the_measurement_agree_on_write_units_per_task_write(inputs):
    shares = inputs["traffic"].shares()

    designed = wu.per_task_write(wu.priced(wu.lifecycle()), shares)
    measured = wu.per_task_write(cost.measured_write_units(inputs["measured"]), shares)

    assert sum(u.total for u in designed.values()) == pytest.approx(sum(u.total for u in measured.values()))
