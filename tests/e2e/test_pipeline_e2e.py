"""envs/local on the emulator: the medallion workflow started through its schedule, on the sample site.

Three runs, in order, as `make demo` does (`pipeline` fixture):
1. the schedule's target is started as Scheduler would (tools/run_schedule.py) -> SUCCEEDED;
2. the same again -> SUCCEEDED, bronze/silver/gold unchanged (raw keeps every run: one more
   object per dataset, by design raw never replaces);
3. the site serves one post with an unknown status -> FAILED at the data-quality gate, one
   failure notification naming the step, silver and gold unchanged (write-audit-publish: the gate
   evaluated the silver job's candidate, which was never published).

Every expected number is derived here from the committed sample (tests/fixtures/wordpress_small)
with plain Python, not by running the job code.
"""

from __future__ import annotations

import html
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyarrow.parquet as pq
import pytest
from notifications import Inbox
from pipeline_states import by_layer
from run_schedule import follow
from wordpress_sample.server import CORRUPT_POST_STATUS, exported_site

from tests.e2e.conftest import AppliedEnv, load_sample_site

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]

SOURCE = "wordpress_api"
DATASETS = ("posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms")
LAYERS = ("raw", "bronze", "silver", "gold")
RUN_TIMEOUT = 600.0


# ---- expectations from the sample data (independent of the job code) ----------------------------


@dataclass(frozen=True)
class Expected:
    rows: dict[str, int]  # dataset -> rows served (= raw = bronze)
    silver_rows: dict[str, int]  # dataset -> distinct rows (silver drops exact duplicates)
    gold_rows: int
    gold_years: frozenset[str]
    gold_views_total: int
    gold_views_by_post: dict[int, int]
    gold_titles: dict[int, str]


def expected_from(site: dict[str, list[dict[str, Any]]]) -> Expected:
    """Gold = article views: statistics rows of type `post` joined to posts of type `post` by id."""
    articles = {post["ID"]: post for post in site["posts"] if post["post_type"] == "post"}
    views = [row for row in site["statistics_pages"] if row["type"] == "post" and row["id"] in articles]
    by_post: dict[int, int] = defaultdict(int)
    for row in views:
        by_post[row["id"]] += row["count"]
    return Expected(
        rows={dataset: len(site[dataset]) for dataset in DATASETS},
        silver_rows={
            dataset: len({json.dumps(row, sort_keys=True) for row in site[dataset]}) for dataset in DATASETS
        },
        gold_rows=len(views),
        gold_years=frozenset(row["date"][:4] for row in views),
        gold_views_total=sum(row["count"] for row in views),
        gold_views_by_post=dict(by_post),
        gold_titles={post_id: html.unescape(articles[post_id]["post_title"]) for post_id in by_post},
    )


# What the local site serves: the sample as the lakehouse-export plugin exports it by default.
EXPECTED = expected_from(exported_site(load_sample_site()))


# ---- reading the lakehouse back ------------------------------------------------------------------


@dataclass
class Snapshot:
    """Per layer: key -> ETag of every object under <bucket>/<source>/; the catalog; gold's rows."""

    objects: dict[str, dict[str, str]]
    tables: dict[str, list[str]] = field(default_factory=dict)
    gold: list[dict[str, Any]] = field(default_factory=list)  # read at once: the next run renames files

    def keys(self, layer: str, dataset: str) -> list[str]:
        prefix = f"{SOURCE}/{dataset}/"
        return sorted(key for key in self.objects[layer] if key.startswith(prefix))


def snapshot(applied: AppliedEnv) -> Snapshot:
    s3, glue = applied.emulator.client("s3"), applied.emulator.client("glue")
    buckets = applied.output("storage_bucket_names")
    objects = {}
    for layer in LAYERS:
        found: dict[str, str] = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=buckets[layer], Prefix=f"{SOURCE}/"):
            found.update({item["Key"]: item["ETag"] for item in page.get("Contents", [])})
        objects[layer] = found
    databases = applied.output("storage_database_names")
    tables = {
        layer: sorted(t["Name"] for t in glue.get_tables(DatabaseName=databases[layer])["TableList"])
        for layer in ("bronze", "silver", "gold")
    }
    snap = Snapshot(objects, tables)
    snap.gold = gold_rows(applied, snap)
    return snap


def read_layer_rows(applied: AppliedEnv, layer: str, key: str) -> list[dict[str, Any]]:
    body = applied.emulator.client("s3").get_object(
        Bucket=applied.output("storage_bucket_names")[layer], Key=key
    )
    data = body["Body"].read()
    if key.endswith(".json"):
        return json.loads(data)
    return pq.read_table(io.BytesIO(data)).to_pylist()


def gold_rows(applied: AppliedEnv, snap: Snapshot) -> list[dict[str, Any]]:
    rows = []
    for key in snap.keys("gold", "statistics_postname"):
        year = key.split("statistics_date_year=")[1].split("/")[0]
        rows.extend(
            {**row, "statistics_date_year": int(year)} for row in read_layer_rows(applied, "gold", key)
        )
    return rows


def rows_fingerprint(rows: list[dict[str, Any]]) -> Counter[str]:
    return Counter(json.dumps(row, sort_keys=True, default=str) for row in rows)


# ---- the three runs ------------------------------------------------------------------------------


@dataclass
class Run:
    execution: dict[str, Any]
    states: list[str]
    snapshot: Snapshot
    notifications: list[dict[str, Any]]


def run_via_schedule(applied: AppliedEnv, inboxes: dict[str, Inbox]) -> Run:
    emulator = applied.emulator
    sfn = emulator.client("stepfunctions")
    # Invoked as Scheduler invokes it: with the schedule's role (trust, StartExecution) judged.
    started = emulator.control(
        "POST", "/_emulator/scheduler/invoke", {"name": applied.output("pipeline_schedule_name")}
    )
    assert started["outcome"] == "invoked", started
    states: list[str] = []
    result = follow(
        sfn, started["executionArn"], lambda _s, _kind, state: states.append(state), 0.5, RUN_TIMEOUT
    )
    notes = [
        {**message, "topic": topic}
        for topic, inbox in inboxes.items()
        for message in inbox.drain(long_poll=1)
    ]
    # The catalog check and crawl loop are written once: named here for the layer they ran for.
    return Run(result, by_layer(states), snapshot(applied), notes)


@dataclass
class Scenes:
    first: Run
    second: Run
    failure: Run
    schedule_input: str


def run_scenes(applied: AppliedEnv) -> Scenes:
    """Good run, identical second run, run on corrupted source data (the site is restored after)."""
    inboxes = {
        "success": applied.inbox("success_topic_arn", "e2e-pipeline-success-inbox"),
        "failure": applied.inbox("failure_topic_arn", "e2e-pipeline-failure-inbox"),
    }
    schedule = applied.emulator.client("scheduler").get_schedule(
        Name=applied.output("pipeline_schedule_name")
    )
    first = run_via_schedule(applied, inboxes)
    second = run_via_schedule(applied, inboxes)
    applied.site.corrupt("unknown_post_status")
    try:
        failure = run_via_schedule(applied, inboxes)
    finally:
        applied.site.corrupt(None)
    return Scenes(first, second, failure, schedule["Target"]["Input"])


@pytest.fixture(scope="module")
def pipeline(applied_local_env: AppliedEnv) -> Scenes:
    return run_scenes(applied_local_env)


# ---- tests ---------------------------------------------------------------------------------------


def test_the_expectations_are_the_documented_sample():
    # README: the sample's 48 posts rows of which 26 published posts and pages are served, 798
    # statistics rows, 57 term relationships of those posts (of 66), 18 / 18; statistics end 2025-10-31.
    assert EXPECTED.rows == {
        "posts": 26,
        "statistics_pages": 798,
        "term_relationships": 57,
        "term_taxonomy": 18,
        "terms": 18,
    }
    assert EXPECTED.silver_rows == EXPECTED.rows  # the sample has no exact duplicate rows
    assert (EXPECTED.gold_rows, EXPECTED.gold_views_total, EXPECTED.gold_years) == (584, 4843, {"2025"})
    assert len(EXPECTED.gold_views_by_post) == 23 and EXPECTED.gold_views_by_post[18] == 730


def test_the_schedule_starts_the_workflow_with_the_scheduled_time(applied_local_env, pipeline):
    assert pipeline.schedule_input == '{"scheduled_time":"<aws.scheduler.scheduled-time>"}'
    execution_input = json.loads(pipeline.first.execution["input"])
    assert set(execution_input) == {"scheduled_time"}
    assert execution_input["scheduled_time"].endswith("Z")
    assert pipeline.first.execution["stateMachineArn"] == applied_local_env.output("pipeline_workflow_arn")
    ingest_date = execution_input["scheduled_time"][:10]
    raw_keys = pipeline.first.snapshot.keys("raw", "posts")
    assert raw_keys == [f"{SOURCE}/posts/ingest_date={ingest_date}/{pipeline.first.execution['name']}.json"]


def test_first_run_succeeds_through_every_step(pipeline):
    run = pipeline.first
    assert run.execution["status"] == "SUCCEEDED", run.execution.get("cause")
    for step in (
        "RawIngest",
        "BronzeLoad",
        "RunSilverJob",
        "StartSilverQualityRun",
        "PublishSilver",
        "RunGoldJob",
        "NotifySuccess",
    ):
        assert step in run.states
    assert run.states.count("StartSilverQualityRun") == 2, "posts and statistics_pages are each gated"
    assert run.states.count("SilverQualityGatePassed") == 2
    # first run: no table existed, so each layer was crawled (silver once published)
    for crawl in ("StartBronzeCrawler", "StartSilverCrawler", "StartGoldCrawler"):
        assert crawl in run.states
    assert (
        run.states.index("StartSilverQualityRun")
        < run.states.index("PublishSilver")
        < run.states.index("StartSilverCrawler")
    )
    assert [n["Subject"] for n in run.notifications] == ["frugal-local-wordpress-api succeeded"]
    assert run.notifications[0]["topic"] == "success"


def test_each_layer_holds_exactly_the_sample_data(applied_local_env, pipeline):
    snap = pipeline.first.snapshot
    for dataset in DATASETS:
        for layer in ("raw", "bronze", "silver"):
            keys = snap.keys(layer, dataset)
            assert len(keys) == 1, (layer, dataset, keys)
            assert len(read_layer_rows(applied_local_env, layer, keys[0])) == (
                EXPECTED.silver_rows[dataset] if layer == "silver" else EXPECTED.rows[dataset]
            ), (layer, dataset)
    assert snap.keys("bronze", "posts")[0].endswith("/posts.parquet")
    assert snap.keys("silver", "posts") == [f"{SOURCE}/posts/posts.snappy.parquet"]
    gold_keys = snap.keys("gold", "statistics_postname")
    assert len(gold_keys) == len(EXPECTED.gold_years)  # one file per year
    assert {k.split("statistics_date_year=")[1].split("/")[0] for k in gold_keys} == EXPECTED.gold_years
    assert all(k.endswith(".snappy.parquet") for k in gold_keys)
    assert sum(len(keys) for keys in snap.objects.values()) == 5 + 5 + 5 + len(EXPECTED.gold_years)


def test_silver_rows_are_the_sample_rows(applied_local_env, pipeline):
    posts = read_layer_rows(applied_local_env, "silver", pipeline.first.snapshot.keys("silver", "posts")[0])
    site = exported_site(load_sample_site())
    assert sorted(row["ID"] for row in posts) == sorted(post["ID"] for post in site["posts"])
    assert {row["post_status"] for row in posts} == {"publish"} and "post_password" not in posts[0]
    titles = {row["ID"]: row["post_title"] for row in posts}
    assert titles == {post["ID"]: html.unescape(post["post_title"]) for post in site["posts"]}


def test_gold_rows_and_totals_match_the_sample(applied_local_env, pipeline):
    rows = pipeline.first.snapshot.gold
    assert len(rows) == EXPECTED.gold_rows
    assert sum(row["statistics_count"] for row in rows) == EXPECTED.gold_views_total
    by_post: dict[int, int] = defaultdict(int)
    for row in rows:
        by_post[row["post_ID"]] += row["statistics_count"]
    assert dict(by_post) == EXPECTED.gold_views_by_post
    assert {row["post_ID"]: row["post_title"] for row in rows} == EXPECTED.gold_titles
    assert {row["post_type"] for row in rows} == {"post"}
    assert all(str(row["statistics_date_year"]) == str(row["statistics_date"])[:4] for row in rows)


def test_gold_job_logs_land_in_the_groups_the_module_owns(applied_local_env, pipeline):
    # Glue 5.0 writes <--custom-logGroup-prefix>/output and /error; modules/glue_job creates those
    # two groups (retention, KMS), so no log goes to a group Glue creates without either.
    gold = applied_local_env.output("pipeline_job_names")["gold"]
    logs = applied_local_env.emulator.client("logs")
    prefix = f"/aws-glue/jobs/{gold}"
    groups = {g["logGroupName"]: g for g in logs.describe_log_groups(logGroupNamePrefix=prefix)["logGroups"]}
    assert set(groups) == {f"{prefix}/output", f"{prefix}/error"}
    assert all(g.get("retentionInDays") and g.get("kmsKeyId") for g in groups.values()), groups
    streams = logs.describe_log_streams(logGroupName=f"{prefix}/output")["logStreams"]
    assert streams, "the gold run's output must reach the module's group"
    assert not logs.describe_log_groups(logGroupNamePrefix="/aws-glue/jobs/output")["logGroups"]


def test_every_layer_is_catalogued(applied_local_env, pipeline):
    expected = applied_local_env.output("pipeline_table_names")
    candidates = applied_local_env.output("pipeline_candidate_table_names")
    assert candidates == [f"candidate_{dataset}" for dataset in DATASETS]
    # the silver database also holds the candidate tables the silver job registers for the gate
    assert pipeline.first.snapshot.tables == {
        "bronze": sorted(expected["bronze"]),
        "silver": sorted(expected["silver"] + candidates),
        "gold": sorted(expected["gold"]),
    }


def test_second_run_changes_nothing_but_adds_one_raw_object_per_dataset(applied_local_env, pipeline):
    first, second = pipeline.first, pipeline.second
    assert second.execution["status"] == "SUCCEEDED", second.execution.get("cause")
    for layer in ("bronze", "silver"):
        assert second.snapshot.objects[layer] == first.snapshot.objects[layer], layer  # keys and ETags
    for dataset in DATASETS:
        before, after = first.snapshot.keys("raw", dataset), second.snapshot.keys("raw", dataset)
        assert set(before) < set(after) and len(after) == len(before) + 1, (dataset, before, after)
    # gold is rewritten by Spark (new part-file names), so compare what it holds: files and rows
    assert len(second.snapshot.keys("gold", "statistics_postname")) == len(EXPECTED.gold_years)
    assert rows_fingerprint(second.snapshot.gold) == rows_fingerprint(first.snapshot.gold)
    # tables existed: no crawler ran the second time
    assert not {"StartBronzeCrawler", "StartSilverCrawler", "StartGoldCrawler"} & set(second.states)
    assert second.snapshot.tables == first.snapshot.tables


def test_bad_source_data_fails_at_the_quality_gate_and_notifies_once(pipeline):
    failure = pipeline.failure
    assert failure.execution["status"] == "FAILED"
    assert failure.execution["error"] == "MedallionPipeline.StepFailed"
    assert "RunGoldJob" not in failure.states
    assert [n["topic"] for n in failure.notifications] == ["failure"]
    note = failure.notifications[0]
    assert note["Subject"] == "frugal-local-wordpress-api failed"
    assert note["MessageAttributes"]["step"]["Value"] == "SilverQuality"
    assert note["MessageAttributes"]["error"]["Value"] == "DataQuality.RulesFailed"
    assert "failed at step SilverQuality" in note["Message"]
    # Two datasets are gated (posts, statistics_pages); the message names the one that failed.
    assert "dataset posts (table candidate_posts)" in note["Message"]
    assert "dataset statistics_pages" not in note["Message"]
    assert (
        'ColumnValues \\"post_status\\"' in note["Message"] or 'ColumnValues "post_status"' in note["Message"]
    )
    assert failure.execution["cause"] == note["Message"]


def test_the_failed_run_logs_reach_the_workflow_log_group(applied_local_env, pipeline):
    """Vended-log delivery of the failed execution: the workflow's key lets delivery.logs decrypt
    its execution data and the log group's key lets CloudWatch Logs encrypt (judged at run time)."""
    emulator = applied_local_env.emulator
    outcome = emulator.control(
        "POST",
        "/_emulator/states/deliver-execution-logs",
        {"executionArn": pipeline.failure.execution["executionArn"]},
    )
    assert outcome["denial"] is None, outcome
    assert outcome["delivered"] >= 1  # level ERROR: at least ExecutionFailed


def test_bad_source_data_never_reaches_gold(applied_local_env, pipeline):
    assert pipeline.failure.snapshot.objects["gold"] == pipeline.second.snapshot.objects["gold"]
    rows = pipeline.failure.snapshot.gold
    assert CORRUPT_POST_STATUS not in {row["post_status"] for row in rows}


def test_bad_source_data_leaves_silver_unchanged(applied_local_env, pipeline):
    assert "PublishSilver" not in pipeline.failure.states
    assert pipeline.failure.snapshot.objects["silver"] == pipeline.second.snapshot.objects["silver"]
    live = read_layer_rows(applied_local_env, "silver", f"{SOURCE}/posts/posts.snappy.parquet")
    assert CORRUPT_POST_STATUS not in {row["post_status"] for row in live}
    # what the gate rejected is the candidate, left in place for inspection
    rejected = read_layer_rows(applied_local_env, "silver", f"_candidate/{SOURCE}/posts/posts.snappy.parquet")
    assert any(row["post_status"] == CORRUPT_POST_STATUS for row in rejected)


def test_every_call_the_roles_made_is_one_make_verify_asks_about(applied_local_env, pipeline):
    """The emulator judged every call the deployed code made as its role; each (role, action) it
    saw must be among the calls tools/verify.py derives, so the iam_calls.json manifests beside the
    code cannot fall behind the code."""
    import boto3  # noqa: PLC0415 - only this test talks to verify's Account
    import verify  # noqa: PLC0415

    emulator = applied_local_env.emulator
    session = boto3.session.Session(
        aws_access_key_id=emulator.env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=emulator.env["AWS_SECRET_ACCESS_KEY"],
        region_name=emulator.env["AWS_DEFAULT_REGION"],
    )
    account = verify.Account(session, {"endpoint_url": emulator.endpoint, "verify": emulator.ca_bundle})
    outputs = applied_local_env.outputs
    rows = list(verify.derive_rows(account, outputs))
    # The guard's other regions are asked with clients of their region, as `make verify` does.
    for region, pieces in (outputs.get("guard_other_regions") or {}).items():
        rows += verify.other_region_rows(account.in_region(region), pieces)
    derived = {(r.role.rsplit("/", 1)[-1], r.call.action) for r in rows}
    observed = {
        (d["principal"].split("/")[1], d["action"])
        for d in emulator.decisions()
        if ":assumed-role/" in d["principal"]
    }
    assert len(observed) >= 20, observed  # the runs exercised the functions, jobs and the workflow
    assert observed - derived == set()
