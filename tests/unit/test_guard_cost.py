"""bench/guard_cost.py's cost model: what each profile deploys and how its month adds up."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "guard_cost.py"


@pytest.fixture(scope="module")
def cost():
    spec = importlib.util.spec_from_file_location("guard_cost", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["guard_cost"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_profiles_match_what_the_module_deploys(cost):
    hardened, frugal = cost.PROFILES["hardened"], cost.PROFILES["frugal"]
    # modules/glue_session_guard: 3 alarms per state machine + dead letters; two keys (topics, trail).
    assert (hardened.alarm_metrics, hardened.kms_keys, hardened.sweeper_interval_minutes) == (7, 2, 15)
    # frugal: one metric-math alarm reading three metrics; no customer-managed key; hourly sweeps.
    assert (frugal.alarm_metrics, frugal.kms_keys, frugal.sweeper_interval_minutes) == (3, 0, 60)


def test_fixed_costs_count_sweeps_alarms_and_keys(cost):
    lines = cost.fixed_costs(cost.PROFILES["hardened"], sweep_transitions=5)
    assert lines["sweeper state transitions (2880 sweeps x 5)"] == pytest.approx(2880 * 5 * 0.025 / 1000)
    assert lines["alarms (7 alarm metrics)"] == pytest.approx(0.70)
    assert lines["KMS keys (2 customer-managed)"] == pytest.approx(2.00)
    frugal = cost.fixed_costs(cost.PROFILES["frugal"], sweep_transitions=5)
    assert frugal["sweeper state transitions (720 sweeps x 5)"] == pytest.approx(720 * 5 * 0.025 / 1000)
    assert frugal["KMS keys (0 customer-managed)"] == 0


def test_aws_managed_keys_cost_no_requests(cost):
    assert cost.session_costs(cost.PROFILES["frugal"], 16)["KMS requests (publish, logs)"] == 0
    assert cost.session_costs(cost.PROFILES["hardened"], 16)["KMS requests (publish, logs)"] > 0


def test_walk_follows_the_chosen_branch_of_a_choice(cost):
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Choice", "Choices": [{"Next": "C"}], "Default": "B"},
            "B": {"Type": "Succeed"},
            "C": {"Type": "Pass", "Next": "D"},
            "D": {"Type": "Pass", "End": True},
        },
    }
    assert cost.walk(definition, {}) == ["A", "B"]
    assert cost.walk(definition, {"A": "C"}) == ["A", "C", "D"]
