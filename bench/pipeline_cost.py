"""Modelled cost of one daily run of the WordPress medallion pipeline, itemised, next to the
console build's.

The console build (the same pipeline clicked together by hand in one account, which this
repository turns into code) measured about $0.17/day ("Each ruleset now costs around $0.17 a
day"; crawlers $0.06 of it, $0.02 each). This models one run at the console build's data volume
(five small WordPress tables, a few MB) with its settings and with ours, and says which
choice saved what. State transitions are counted by walking the rendered medallion_pipeline
definition along the path a normal run takes (each step checked against the definition's own
Next/Default/Choices), so the count follows the definition when it changes.

Prices: eu-west-1 list prices, November 2026, no free tier. Durations are assumptions stated below
(the console build's measurements: silver job ~60 s; bronze Lambda 7.1 s at 250 MB; the gold
job's residual cost).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT / "tools"), str(REPO_ROOT / "tests" / "support")]

from asl_render import PIPELINE_DEFINITION, render  # noqa: E402
from pipeline_template_values import DEFINITION_VARS  # noqa: E402 - the values the tests render

PRICES = {
    "glue_dpu_hour": 0.44,  # Spark, Python shell, crawlers, data quality
    "glue_flex_dpu_hour": 0.29,  # Spark FLEX
    "lambda_gb_second_arm": 0.0000133334,
    "lambda_request": 0.20 / 1_000_000,
    "sfn_transition": 0.025 / 1000,
    "s3_put": 0.005 / 1000,
    "s3_get": 0.0004 / 1000,
    "sns_publish": 0.50 / 1_000_000,
    "scheduler_invocation": 1.00 / 1_000_000,
    "ssm_get": 0.0,  # standard parameters, standard throughput: no charge
}
CONSOLE_MEASURED_PER_DAY = 0.17
CONSOLE_CRAWL_COST = 0.02  # measured per crawler run (console build: $0.06/day for three)
GOAL_PER_DAY = 0.05
MINIMUM_BILLED_SECONDS = 60  # Glue 2.0+ Spark, Python shell and data-quality runs: 1-minute minimum

# Assumed durations at the console build's volume.
SILVER_SECONDS = 60  # "the job only takes around 60 seconds to process all five objects"
SILVER_PUBLISH_SECONDS = 10  # five server-side copies; billed as the 1-minute minimum
# The console build's residual $0.11/day at 10 x G.1X STANDARD = 0.25 DPU-h -> ~90 s; Spark
# start-up dominates.
GOLD_SECONDS = 90
DQ_SECONDS = 60  # a handful of rules on one ~50-row table
RAW_LAMBDA_SECONDS = 10.0  # five HTTP calls with pagination
BRONZE_LAMBDA_SECONDS = 7.1  # the console build's Lambda REPORT line
LAMBDA_MEMORY_GB = 0.5
S3_REQUESTS = {"put": 5 + 5 + 5 + 8 + 2, "get": 5 + 5 + 5 + 4 + 2}  # raw, bronze, silver, gold, artifacts
CRAWL_POLLS = 6  # a crawl of a few small folders: ~3 min at 30 s polls
DQ_POLLS = 3
# Datasets the quality gate evaluates, one ruleset run each (the WordPress pipeline gates posts and
# statistics_pages).
DQ_GATES = len(DEFINITION_VARS["dq_gates"])


@dataclass
class Scenario:
    name: str
    silver_dpu: float
    gold_workers: int
    gold_flex: bool
    crawled_layers: tuple[str, ...]
    crawl_cost_each: float
    data_quality_workers: int  # 0: no data-quality run
    silver_publish: bool  # write-audit-publish: a second, short silver job run after the gate
    lines: list[tuple[str, float]] = field(default_factory=list)

    def total(self) -> float:
        return sum(cost for _, cost in self.lines)


def glue_cost(dpu: float, seconds: float, rate: float) -> tuple[float, float]:
    billed = max(seconds, MINIMUM_BILLED_SECONDS)
    dpu_seconds = dpu * billed
    return dpu_seconds, dpu_seconds / 3600 * rate


def run_path(definition: dict[str, Any], crawled: tuple[str, ...]) -> list[str]:
    """States a normal scheduled run enters, each transition checked against the definition."""

    def catalog(layer: str) -> list[str]:
        # The catalog check and crawl loop, written once, run after each layer's stage; a crawl
        # polls until the crawler is ready, then goes back to CrawlNeeded, which routes on.
        polls = ["WaitForCrawler", "GetCrawler", "CrawlerFinished"] * CRAWL_POLLS
        crawl = ["StartCrawler", *polls, "CrawlNeeded"] if layer in crawled else []
        return ["CheckCatalog", "CrawlNeeded", *crawl]

    path = [
        "Configure",
        "RawIngest",  # one invocation: a few MB need no continuation
        "RawIngestComplete",
        "BronzeLoad",
        *catalog("bronze"),
        "RunSilverJob",
        "SilverQuality",
        "PublishSilver",
        *catalog("silver"),
        "RunGoldJob",
        *catalog("gold"),
        "NotifySuccess",
        "PipelineSucceeded",
    ]
    check_transitions(definition["States"], path)
    # Inside the quality map, each gated dataset's iteration enters these (billed as transitions too).
    gate = [
        "StartSilverQualityRun",
        *(["WaitForSilverQualityRun", "GetSilverQualityRun", "SilverQualityRunFinished"] * DQ_POLLS),
        "GetSilverQualityResult",
        "SilverQualityPassed",
        "SilverQualityGatePassed",
    ]
    check_transitions(definition["States"]["SilverQuality"]["ItemProcessor"]["States"], gate)
    at = path.index("SilverQuality") + 1
    return path[:at] + gate * DQ_GATES + path[at:]


def check_transitions(states: dict[str, Any], path: list[str]) -> None:
    for here, there in zip(path, path[1:]):
        state = states[here]
        legal = {state.get("Next"), state.get("Default"), *(c["Next"] for c in state.get("Choices", []))}
        assert there in legal, f"{here} cannot go to {there}"


def model(scenario: Scenario, definition: dict[str, Any]) -> Scenario:
    add = scenario.lines.append
    dpu_s, cost = glue_cost(scenario.silver_dpu, SILVER_SECONDS, PRICES["glue_dpu_hour"])
    add((f"silver job: Python shell {scenario.silver_dpu} DPU x {SILVER_SECONDS}s = {dpu_s:.2f} DPU-s", cost))
    if scenario.silver_publish:
        dpu_s, cost = glue_cost(scenario.silver_dpu, SILVER_PUBLISH_SECONDS, PRICES["glue_dpu_hour"])
        add(
            (
                f"silver publish: Python shell {scenario.silver_dpu} DPU x {SILVER_PUBLISH_SECONDS}s "
                f"(min {MINIMUM_BILLED_SECONDS}s) = {dpu_s:.2f} DPU-s",
                cost,
            )
        )
    rate = PRICES["glue_flex_dpu_hour"] if scenario.gold_flex else PRICES["glue_dpu_hour"]
    dpu_s, cost = glue_cost(scenario.gold_workers, GOLD_SECONDS, rate)
    kind = "FLEX" if scenario.gold_flex else "STANDARD"
    add(
        (
            f"gold job: {scenario.gold_workers} x G.1X {kind} x {GOLD_SECONDS}s "
            f"(min {MINIMUM_BILLED_SECONDS}s) = {dpu_s:.0f} DPU-s",
            cost,
        )
    )
    if scenario.data_quality_workers:
        dpu_s, cost = glue_cost(scenario.data_quality_workers, DQ_SECONDS, PRICES["glue_dpu_hour"])
        add(
            (
                f"data quality: {DQ_GATES} rulesets x {scenario.data_quality_workers} x G.1X x {DQ_SECONDS}s "
                f"= {DQ_GATES * dpu_s:.0f} DPU-s",
                DQ_GATES * cost,
            )
        )
    for layer in ("bronze", "silver", "gold"):
        crawled = layer in scenario.crawled_layers
        add(
            (
                f"{layer} crawler: {'crawled' if crawled else 'skipped (tables kept)'}",
                scenario.crawl_cost_each if crawled else 0.0,
            )
        )
    gb_s = LAMBDA_MEMORY_GB * (RAW_LAMBDA_SECONDS + BRONZE_LAMBDA_SECONDS)
    add(
        (
            f"lambda: 2 invocations, {gb_s:.1f} GB-s arm64",
            gb_s * PRICES["lambda_gb_second_arm"] + 2 * PRICES["lambda_request"],
        )
    )
    transitions = len(run_path(definition, scenario.crawled_layers))
    add((f"step functions: {transitions} state transitions", transitions * PRICES["sfn_transition"]))
    requests = S3_REQUESTS["put"] * PRICES["s3_put"] + S3_REQUESTS["get"] * PRICES["s3_get"]
    add(
        (
            f"requests: S3 {S3_REQUESTS['put']} PUT/LIST + {S3_REQUESTS['get']} GET, "
            "1 SNS, 1 schedule, 1 SSM",
            requests + PRICES["sns_publish"] + PRICES["scheduler_invocation"],
        )
    )
    return scenario


def main() -> None:
    definition = json.loads(render(PIPELINE_DEFINITION, DEFINITION_VARS))
    console = model(
        Scenario(
            "console build's settings (10 x G.1X gold, 3 crawls/day, no DQ)",
            0.0625,
            10,
            False,
            ("bronze", "silver", "gold"),
            CONSOLE_CRAWL_COST,
            0,
            False,
        ),
        definition,
    )
    ours = model(
        Scenario("this repo's defaults", 0.0625, 2, True, (), CONSOLE_CRAWL_COST, 2, True), definition
    )
    for scenario in (console, ours):
        print(f"\n{scenario.name}")
        for label, cost in scenario.lines:
            print(f"  {label:<78} ${cost:.5f}")
        print(f"  {'total per run (= per day)':<78} ${scenario.total():.4f}")
    print(
        f"\nconsole build measured: ${CONSOLE_MEASURED_PER_DAY:.2f}/day; "
        f"modelled: ${console.total():.4f}/day "
        f"({console.total() / CONSOLE_MEASURED_PER_DAY:.2f} of measured; by construction: "
        "the gold duration is inferred "
        "from the console build's residual cost)"
    )
    print(
        f"ours: ${ours.total():.4f}/day = {ours.total() / CONSOLE_MEASURED_PER_DAY:.2f} x "
        "the console build's measured cost; "
        f"goal <= ${GOAL_PER_DAY:.2f}: {'met' if ours.total() <= GOAL_PER_DAY else 'NOT met'}"
    )

    print("\nwhat each choice saved per day (applied in order):")
    steps = [
        (
            "gold 10 -> 2 G.1X workers",
            Scenario("", 0.0625, 2, False, ("bronze", "silver", "gold"), CONSOLE_CRAWL_COST, 0, False),
        ),
        (
            "gold on FLEX",
            Scenario("", 0.0625, 2, True, ("bronze", "silver", "gold"), CONSOLE_CRAWL_COST, 0, False),
        ),
        (
            "crawl only when tables are missing or asked",
            Scenario("", 0.0625, 2, True, (), CONSOLE_CRAWL_COST, 0, False),
        ),
        (
            f"add the silver data-quality runs ({DQ_GATES} x 2 workers)",
            Scenario("", 0.0625, 2, True, (), CONSOLE_CRAWL_COST, 2, False),
        ),
        (
            "add the silver publish run (write-audit-publish)",
            Scenario("", 0.0625, 2, True, (), CONSOLE_CRAWL_COST, 2, True),
        ),
    ]
    previous = console.total()
    for label, scenario in steps:
        total = model(scenario, definition).total()
        print(f"  {label:<50} {previous - total:+.4f}  -> ${total:.4f}")
        previous = total
    weekly = ours.total() + 3 * CONSOLE_CRAWL_COST / 7
    print(f'\nwith a forced full crawl once a week (input {{"crawl": {{...all true}}}}): ${weekly:.4f}/day')
    print(
        "not per run: KMS keys, alarms, log storage and S3 storage are monthly costs (bench/storage_cost.py)."
    )


if __name__ == "__main__":
    main()
