"""A guard outside its home region notifies through its own region's default bus: the calls
derived from its rendered definition (what `make verify` asks) are events:PutEvents there, and the
home region's guard keeps publishing to the topics."""

from __future__ import annotations

import json

from asl_render import DEFINITIONS, render
from iam_calls import Call, derive_calls

from bench.guard_cost import GUARD_VARS, SWEEPER_VARS

ACCOUNT = "123456789012"


RELAYED = ("frugal-test.glue-session-guard", "Glue Session Guard Notification")


def _calls(asl: str, variables: dict[str, object], region: str, relayed: bool = False) -> set[Call]:
    definition = json.loads(render(DEFINITIONS[asl], variables, RELAYED if relayed else None))
    return derive_calls(definition, region, ACCOUNT)


def test_other_region_guard_and_sweeper_put_events_on_their_regions_bus_only():
    bus = Call("events:PutEvents", f"arn:aws:events:eu-central-1:{ACCOUNT}:event-bus/default")
    guard = _calls(
        "glue_session_guard.asl.json", {**GUARD_VARS, "region": "eu-central-1"}, "eu-central-1", relayed=True
    )
    sweeper = _calls(
        "glue_session_sweeper.asl.json",
        {**SWEEPER_VARS, "region": "eu-central-1"},
        "eu-central-1",
        relayed=True,
    )
    assert bus in guard and bus in sweeper
    assert not [c for c in guard | sweeper if c.action == "sns:Publish"]
    assert {c.resource for c in guard if c.action.startswith("glue:")} == {
        f"arn:aws:glue:eu-central-1:{ACCOUNT}:session/verify-probe"
    }


def test_home_region_guard_publishes_to_the_topics():
    guard = _calls("glue_session_guard.asl.json", GUARD_VARS, "eu-west-1")
    assert {c.resource for c in guard if c.action == "sns:Publish"} == {
        GUARD_VARS["success_topic_arn"],
        GUARD_VARS["failure_topic_arn"],
    }
    assert not [c for c in guard if c.action == "events:PutEvents"]


def test_relay_publishes_to_the_two_topics_only():
    # Each notice is published by a state naming its topic, so `make verify` can ask for exactly
    # the relay role's two grants.
    topics = {
        "success_topic_arn": "arn:aws:sns:eu-west-1:123456789012:s",
        "failure_topic_arn": "arn:aws:sns:eu-west-1:123456789012:f",
    }
    variables = {
        "notice_source": "frugal-test.glue-session-guard",
        "home_region": "eu-west-1",
        "environment": "test",
        **topics,
    }
    calls = _calls("glue_session_guard_relay.asl.json", variables, "eu-west-1")
    assert calls == {Call("sns:Publish", arn) for arn in topics.values()}
