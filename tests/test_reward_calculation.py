"""The reward calculation (DESIGN.md section 6): worked examples, every boundary, and its
invariants as properties. It runs without a Flask app or a database, as an auditor would run it."""

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.rewards import calculation
from portal.rewards.calculation import Terms, quote, split

D = Decimal
# The defaults of portal/data/reward_policies.json, written out again on purpose.
TERMS = Terms(
    rates={1: D("0.05"), 2: D("0.03"), 3: D("0.01")},
    floors={1: D("5000.00"), 2: D("3000.00"), 3: D("1000.00")},
    case_cap=D("1000000.00"),
    signoff_threshold=D("500000.00"),
    insider_max_multiplier=D("2"),
)
FLOORS = {1: D("5000.00"), 2: D("3000.00"), 3: D("1000.00")}


@pytest.mark.parametrize(
    ("level", "fines", "amount", "signoff"),
    [
        (2, "80000", "3000.00", False),  # 3% = 2,400 < floor
        (1, "12000000", "600000.00", True),  # needs finance sign-off
        (1, "30000000", "1000000.00", True),  # 1,500,000 capped
        (3, "250000", "2500.00", False),
    ],
)
def test_the_worked_examples_of_design(level, fines, amount, signoff):
    result = quote(TERMS, level, D(fines))
    assert result.amount == D(amount) and result.needs_signoff is signoff


@pytest.mark.parametrize(("level", "floor"), FLOORS.items())
def test_no_fine_or_confiscation_gives_the_floor(level, floor):
    assert quote(TERMS, level, D(0)).amount == floor


@pytest.mark.parametrize(
    ("level", "fines", "amount", "floor_applied"),
    [
        # Where each floor meets its rate: 5,000 / 5% = 100,000; 3,000 / 3% = 100,000; 1,000 / 1%.
        (1, "99999.89", "5000.00", True),  # 4999.9945 -> 4999.99 < floor
        (1, "99999.99", "5000.00", False),  # 4999.9995 rounds to the floor itself
        (1, "100000.00", "5000.00", False),
        (1, "100000.10", "5000.01", False),  # 5000.005 rounds half up
        (2, "99999.83", "3000.00", True),  # 2999.9949
        (2, "100000.17", "3000.01", False),  # 3000.0051
        (3, "99999.49", "1000.00", True),  # 999.9949
        (3, "100000.50", "1000.01", False),  # 1000.005 rounds half up
        (3, "100000.49", "1000.00", False),  # 1000.0049 rounds down
    ],
)
def test_each_floor_at_its_boundary_and_rounding_half_up_to_the_fen(level, fines, amount, floor_applied):
    result = quote(TERMS, level, D(fines))
    assert (result.amount, result.floor_applied) == (D(amount), floor_applied)


@pytest.mark.parametrize(
    ("fines", "amount", "signoff"),
    [("9999999.80", "499999.99", False), ("10000000.00", "500000.00", True)],
)
def test_the_finance_sign_off_threshold_is_at_or_above_500000(fines, amount, signoff):
    result = quote(TERMS, 1, D(fines))
    assert (result.amount, result.needs_signoff) == (D(amount), signoff)


@pytest.mark.parametrize(
    ("fines", "already", "amount", "capped"),
    [
        ("20000000", "0", "1000000.00", False),  # exactly the cap
        ("20000000.20", "0", "1000000.00", True),  # a fen over it (1,000,000.01)
        ("12000000", "500000", "500000.00", True),  # what the other awards of the case left
        ("80000", "998000", "2000.00", True),  # the cap leaves less than the floor
        ("80000", "1000000", "0.00", True),  # nothing left
    ],
)
def test_the_cap_across_all_awards_of_the_case(fines, already, amount, capped):
    result = quote(TERMS, 1 if D(fines) > 100000 else 2, D(fines), already_awarded=D(already))
    assert (result.amount, result.capped) == (D(amount), capped)


def test_the_insider_raise_needs_finance_consent_and_is_at_most_double():
    raised = quote(TERMS, 2, D("80000"), insider_multiplier=D("1.5"))
    assert raised.amount == D("4500.00") and raised.needs_finance_consent and raised.raised
    assert quote(TERMS, 2, D("80000"), insider_multiplier=D("2")).amount == D("6000.00")
    assert not quote(TERMS, 2, D("80000")).needs_finance_consent
    with pytest.raises(ValueError, match="between 1 and 2"):
        quote(TERMS, 2, D("80000"), insider_multiplier=D("2.01"))
    with pytest.raises(ValueError, match="between 1 and 2"):
        quote(TERMS, 2, D("80000"), insider_multiplier=D("0.5"))
    # The raise is applied before the cap.
    assert quote(TERMS, 1, D("12000000"), insider_multiplier=D("2")).amount == D("1000000.00")


def test_money_is_never_a_float_and_the_level_is_one_of_three():
    with pytest.raises(TypeError):
        quote(TERMS, 2, 80000.0)
    with pytest.raises(ValueError):
        quote(TERMS, 4, D("80000"))
    with pytest.raises(ValueError):
        quote(TERMS, 2, D("-1"))


def test_the_calculation_module_imports_nothing_but_the_standard_library():
    tree = ast.parse(Path(calculation.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"dataclasses", "decimal"}


# ---- properties --------------------------------------------------------------------------------

yuan = st.decimals(min_value=0, max_value=D("100000000"), places=2, allow_nan=False, allow_infinity=False)
levels = st.sampled_from([1, 2, 3])
multipliers = st.decimals(min_value=1, max_value=2, places=2)


@settings(max_examples=300, deadline=None)
@given(level=levels, fines=yuan, already=yuan, multiplier=multipliers)
def test_never_below_the_floor_unless_the_cap_leaves_less_never_above_the_cap(
    level, fines, already, multiplier
):
    result = quote(TERMS, level, fines, already, multiplier)
    room = max(TERMS.case_cap - already, D(0))
    assert D(0) <= result.amount <= room
    assert result.amount + already <= TERMS.case_cap or result.amount == 0
    assert result.amount >= min(FLOORS[level], room)
    assert result.amount == result.amount.quantize(D("0.01"))  # exact to the fen
    assert result.needs_signoff == (result.amount >= TERMS.signoff_threshold)


@settings(max_examples=300, deadline=None)
@given(level=levels, a=yuan, b=yuan, already=yuan, multiplier=multipliers)
def test_monotonic_in_fines(level, a, b, already, multiplier):
    low, high = sorted((a, b))
    assert (
        quote(TERMS, level, low, already, multiplier).amount
        <= quote(TERMS, level, high, already, multiplier).amount
    )


@settings(max_examples=200, deadline=None)
@given(level=levels, fines=yuan)
def test_without_floor_or_cap_the_amount_is_the_rate_rounded_half_up(level, fines):
    result = quote(TERMS, level, fines)
    exact = fines * TERMS.rates[level]
    if not result.floor_applied and not result.capped:
        assert abs(result.amount - exact) <= D("0.005")
        assert result.amount == exact.quantize(D("0.01"), rounding="ROUND_HALF_UP")


@settings(max_examples=300, deadline=None)
@given(
    amount=st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2),
    weights=st.lists(st.integers(min_value=1, max_value=10), min_size=1, max_size=6),
)
def test_shares_sum_exactly_and_differ_from_their_exact_part_by_less_than_a_fen(amount, weights):
    shares = split(amount, weights)
    assert sum(shares) == amount and len(shares) == len(weights)
    for share, weight in zip(shares, weights, strict=True):
        assert share == share.quantize(D("0.01"))
        assert abs(share - amount * weight / sum(weights)) < D("0.01")


def test_a_share_that_does_not_divide_evenly_goes_to_the_largest_remainder():
    assert split(D("1000.00"), [1, 1, 1]) == [D("333.34"), D("333.33"), D("333.33")]
    assert split(D("3000.00"), [1, 2]) == [D("1000.00"), D("2000.00")]
    assert split(D("0.05"), [1, 1, 1, 1, 1, 1]) == [D("0.01")] * 5 + [D("0.00")]
    assert split(D("10.00"), [1, 2, 3]) == [D("1.67"), D("3.33"), D("5.00")]


# ---- the command -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "printed"),
    [
        (["--level", "2", "--fines", "80000"], "3000.00"),
        (["--level", "1", "--fines", "12000000"], "600000.00"),
        (["--level", "1", "--fines", "30000000"], "1000000.00"),
        (["--level", "3", "--fines", "250000"], "2500.00"),
        (["--level", "2", "--fines", "80000", "--insider-multiplier", "2"], "6000.00"),
        (["--level", "1", "--fines", "0", "--already-awarded", "998000"], "2000.00"),
        (["--level", "2", "--fines", "80000", "--policy", "SAMR-2021-4"], "3000.00"),
    ],
)
def test_flask_rewards_quote_prints_the_amount(runner, args, printed):
    result = runner.invoke(args=["rewards", "quote", *args])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == printed


def test_flask_rewards_quote_refuses_an_unknown_policy_and_a_too_high_raise(runner):
    unknown = runner.invoke(args=["rewards", "quote", "--level", "2", "--fines", "1", "--policy", "NOPE"])
    assert unknown.exit_code != 0 and "no reward policy NOPE" in unknown.output
    raised = runner.invoke(
        args=["rewards", "quote", "--level", "2", "--fines", "1", "--insider-multiplier", "3"]
    )
    assert raised.exit_code != 0 and "between 1 and 2" in raised.output
