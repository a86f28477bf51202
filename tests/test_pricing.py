"""The cost model behind the ``advisor_bills`` hook: a plugin's option gets a bill, a range, a
break-even volume, a sweep line and the economics rule's weighing like the built-in options, and a
pricing that goes wrong is that plugin's fault alone."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from advisor import (
    Fact,
    Line,
    Option,
    OptionCost,
    Pricing,
    Registry,
    build_registry,
    evaluate,
    get_plugin_manager,
    hookimpl,
    parse_answers,
)
from advisor.costs.sweep import sweep

Register = Callable[[Any], None]
MEDIA = Path(__file__).parent / "cases" / "media-tagging-at-scale.yaml"
RENT = "gpu_rental_usd"  # a figure the test plugin prices its option from


def _registry(*plugins: object) -> Registry:
    return build_registry(get_plugin_manager(plugins=list(plugins)))


def _media(registry: Registry) -> dict[str, Any]:
    return parse_answers(MEDIA.read_text(encoding="utf-8"), registry).values


def flat_bill(answers: Mapping[str, Any], cat: Any, bound: str | None = None) -> OptionCost:
    """A managed service at a flat $2,000 a month (cheaper at its cheap end, dearer at its dear
    end), plus a tenth of a cent a call."""
    out = OptionCost("managed")
    flat = {"cheap": 1_500.0, None: 2_000.0, "dear": 2_500.0}[bound]
    out.lines.append(Line("the service", flat, "a flat fee"))
    requests = answers["scale.requests_per_month"]
    if requests is None:
        out.missing.append("scale.requests_per_month")
    else:
        out.lines.append(Line("calls", requests * 0.001, f"{requests:,.0f} calls x $0.001"))
    return out


class Managed:
    """A plugin with an option of its own and its bill."""

    def __init__(self, bill: Callable[..., Any] = flat_bill, **pricing: Any) -> None:
        self.bill = bill
        self.pricing = pricing

    @hookimpl
    def advisor_options(self, register: Register) -> None:
        register(Option(id="managed", label="A managed service", summary="Someone runs it."))

    @hookimpl
    def advisor_bills(self, register: Register) -> None:
        options = {"reads": ("scale.requests_per_month",), "break_even": True, **self.pricing}
        register(Pricing(option="managed", bill=self.bill, **options))


def test_a_plugins_option_is_costed_ranged_and_broken_even() -> None:
    registry = _registry(Managed())
    assert registry.faults == []
    assert [p.option for p in registry.pricings] == [
        "api",
        "self_host",
        "fine_tune",
        "hybrid",
        "managed",
    ]
    decision = evaluate(registry, _media(registry))
    bill = decision.costs.options["managed"]
    requests = decision.resolved.values["scale.requests_per_month"]
    assert bill.usd_per_month == pytest.approx(2_000 + requests * 0.001)
    assert (bill.low_usd_per_month, bill.high_usd_per_month) == pytest.approx(
        (1_500 + requests * 0.001, 2_500 + requests * 0.001)
    )
    assert decision.costs.horizon("managed") == pytest.approx(
        tuple(12 * x for x in (bill.low_usd_per_month, bill.usd_per_month, bill.high_usd_per_month))
    )
    # Where the API's bill meets $2,000 + $0.01 a call: the API costs more a call than that here.
    api = decision.costs.options["api"].usd_per_month / requests
    assert api > 0.001
    at = decision.costs.break_even_requests["managed"]
    assert at == pytest.approx(2_000 / (api - 0.001), rel=2e-3)


def test_the_economics_rule_weighs_it_unless_told_not_to() -> None:
    weighed = evaluate(_registry(Managed()), _media(_registry(Managed())))
    econ = [f for r in weighed.results if r.rule.code == "ECON001" for f in r.findings]
    assert any(f.option == "managed" for f in econ)
    registry = _registry(Managed(weighed=False))
    quiet = evaluate(registry, _media(registry))
    econ = [f for r in quiet.results if r.rule.code == "ECON001" for f in r.findings]
    assert econ and not any(f.option == "managed" for f in econ)
    assert quiet.costs.options["managed"].usd_per_month is not None  # still costed and shown


def test_a_sweep_draws_its_line_and_finds_where_it_meets_the_api() -> None:
    registry = _registry(Managed())
    found = sweep(registry, _media(registry), "scale.requests_per_month", 1e3, 1e9, points=200)
    assert set(found.bills) == {"api", "self_host", "fine_tune", "managed"}
    line = found.bills["managed"]
    assert line[0] == pytest.approx(2_000 + found.points[0] * 0.001)
    assert all(b is not None for b in line)
    meets = [at for at, a, b in found.cheapest_changes if {a, b} == {"api", "managed"}]
    decision = evaluate(registry, _media(registry))
    expected = decision.costs.break_even_requests["managed"]
    assert meets and meets[0] == pytest.approx(expected, rel=2e-3)


def test_a_bill_that_raises_is_the_plugins_fault_and_the_others_stand() -> None:
    def broken(answers: Mapping[str, Any], cat: Any, bound: str | None = None) -> OptionCost:
        raise ZeroDivisionError("no price yet")

    registry = _registry(Managed(bill=broken))
    decision = evaluate(registry, _media(registry))
    assert "managed" not in decision.costs.options
    assert decision.costs.options["api"].usd_per_month is not None
    faults = [f.render() for f in decision.faults if f.plugin == "Managed"]
    assert faults == ["plugin Managed (bill of managed): ZeroDivisionError: no price yet"]


def test_a_bill_of_the_wrong_type_is_a_fault() -> None:
    registry = _registry(Managed(bill=lambda answers, cat, bound=None: 42.0))
    decision = evaluate(registry, _media(registry))
    assert "managed" not in decision.costs.options
    (fault,) = [f for f in decision.faults if f.plugin == "Managed"]
    assert fault.message == "bill gave float, not OptionCost"


def test_a_bill_that_prints_is_reported_with_what_it_printed_and_still_stands() -> None:
    def chatty(answers: Mapping[str, Any], cat: Any, bound: str | None = None) -> OptionCost:
        print("pricing the managed service now")
        return flat_bill(answers, cat, bound)

    registry = _registry(Managed(bill=chatty))
    decision = evaluate(registry, _media(registry))
    assert decision.costs.options["managed"].usd_per_month is not None
    messages = {f.message for f in decision.faults if f.plugin == "Managed"}
    assert messages == {
        "printed to standard output (32 characters, kept out of it): "
        "'pricing the managed service now'"
    }


def test_a_bill_that_cannot_price_the_answers_leaves_the_option_without_one() -> None:
    registry = _registry(Managed(bill=lambda answers, cat, bound=None: None))
    decision = evaluate(registry, _media(registry))
    assert "managed" not in decision.costs.options
    assert "managed" not in decision.costs.break_even_requests
    assert not [f for f in decision.faults if f.plugin == "Managed"]


def test_pricings_that_cannot_stand_are_reported_when_the_registry_is_built() -> None:
    class Wrong:
        @hookimpl
        def advisor_bills(self, register: Register) -> None:
            register(Pricing(option="nobody", bill=flat_bill, reads=()))
            register(Pricing(option="api", bill=flat_bill, reads=()))
            register("a price list")

    class ReadsNothingThere(Managed):
        @hookimpl
        def advisor_bills(self, register: Register) -> None:
            register(Pricing(option="managed", bill=flat_bill, reads=("scale.nothing",)))

    registry = _registry(Wrong(), ReadsNothingThere())
    said = sorted(f.render() for f in registry.faults)
    assert said == [
        "plugin ReadsNothingThere (advisor_bills): bill of managed reads scale.nothing, which "
        "no plugin gives; ignored",
        "plugin Wrong (advisor_bills): bill 'api' is already given by plugin costs; ignored",
        "plugin Wrong (advisor_bills): expected Pricing, got str",
        "plugin Wrong (advisor_bills): prices option 'nobody', which no plugin gives; ignored",
    ]
    assert [p.option for p in registry.pricings] == ["api", "self_host", "fine_tune", "hybrid"]
    assert registry.pricings[0].plugin == "costs"


def test_the_bills_fact_is_the_cost_models_own() -> None:
    class Impostor:
        @hookimpl
        def advisor_facts(self, register: Register) -> None:
            register(Fact(name="bills", description="Mine.", compute=lambda f: None, reads=()))

    registry = _registry(Impostor())
    (fault,) = [f for f in registry.faults if f.plugin == "Impostor"]
    assert fault.message == "the cost model gives this fact; ignored"
    assert registry.facts["bills"].plugin == "advisor"
    assert evaluate(registry, _media(registry)).costs is not None


def test_advisor_plugins_lists_the_bills_a_plugin_gives(cli: Callable[..., Result]) -> None:
    shown = cli("plugins", "--format", "json")
    assert shown.exit_code == 0, shown.output
    assert '"bills"' in shown.stdout and '"fine_tune"' in shown.stdout
