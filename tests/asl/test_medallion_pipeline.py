"""The pipeline workflow (modules/medallion_pipeline/definition.asl.json) on the emulator.

Real Glue crawlers, jobs (.sync), catalog, data-quality runs and SNS topics on the emulator; the
two Lambda functions are deployed as real functions whose handler echoes the payload (the workflow
only needs them to succeed or fail; their own behaviour is tested in tests/unit). The silver job
runs twice: `--stage write` (candidates), then, only if the quality gate on the candidate table
passed, `--stage publish`. Covered: every step succeeding, a failure at each step in turn (one
failure notification naming that step, execution FAILED, later steps never entered), a crawler
already running, data-quality rules failing (publish never started), a throttling error absorbed
by a Retry, the ingest date and the stage flowing into every job run. The definition's
placeholders take tests/support/pipeline_template_values.py's values (the unit tests, IAM checks
and the bench render the same), with short polls and retries and this emulator's topics; the
catalog check and crawl loop, written once, are named per layer by pipeline_states.by_layer.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any, Optional

import pipeline_template_values as values
import pytest
from asl_render import REPO_ROOT
from pipeline_states import by_layer

pytestmark = pytest.mark.emulator

ASL = "medallion_pipeline.asl.json"
ACCOUNT = values.ACCOUNT
REGION = values.REGION
DATASETS = ["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms"]
GOLD_DATASETS = ["statistics_postname"]
LAYER_TABLES = {"bronze": DATASETS, "silver": DATASETS, "gold": GOLD_DATASETS}
# The resources the rendered definition names (pipeline_template_values), deployed on the emulator.
NAMES = {
    "raw": values.NAMES["raw_function"],
    "bronze": values.NAMES["bronze_function"],
    "silver_job": values.NAMES["silver_job"],
    "gold_job": values.NAMES["gold_job"],
}
# Two gated datasets, each with its own ruleset on its own candidate table.
GATED = ("posts", "statistics_pages")
RULESETS = values.RULESETS
CANDIDATE_TABLES = {d: f"candidate_{d}" for d in GATED}
CRAWLERS = values.CRAWLERS
DATABASES = values.DATABASES
ROLE = f"arn:aws:iam::{ACCOUNT}:role/pipeline-test"
INGEST_DATE = "2026-11-20"

# The workflow's milestones in order: a failure at one must leave every later one unentered.
MILESTONES = [
    "RawIngest",
    "BronzeLoad",
    "CheckBronzeCatalog",
    "StartBronzeCrawler",
    "GetBronzeCrawler",
    "RunSilverJob",
    "StartSilverQualityRun",
    "GetSilverQualityRun",
    "GetSilverQualityResult",
    "PublishSilver",
    "CheckSilverCatalog",
    "StartSilverCrawler",
    "GetSilverCrawler",
    "RunGoldJob",
    "CheckGoldCatalog",
    "StartGoldCrawler",
    "GetGoldCrawler",
    "NotifySuccess",
]
SILVER_BUCKET = "t-silver-data"


def ruleset(rules: list[str]) -> str:
    """DQDL text as the medallion_pipeline module builds it from a dataset's rule list."""
    return "Rules = [\n    " + ",\n    ".join(rules) + "\n]"


def posts_rules(row_count_floor: int) -> list[str]:
    """The WordPress posts rules modules/lakehouse_environment passes."""
    types = ", ".join(f'"{t}"' for t in ("post", "page", "attachment", "revision", "nav_menu_item"))
    statuses = ", ".join(
        f'"{s}"'
        for s in ("publish", "future", "draft", "pending", "private", "trash", "auto-draft", "inherit")
    )
    return [
        'IsComplete "ID"',
        'IsUnique "ID"',
        'IsComplete "post_title"',
        f'ColumnValues "post_type" in [ {types} ]',
        f'ColumnValues "post_status" in [ {statuses} ]',
        f"RowCount >= {row_count_floor}",
    ]


STATISTICS_PAGES_RULES = ['IsComplete "page_id"', 'ColumnValues "count" >= 0']


def default_rulesets() -> dict[str, str]:
    return {"posts": ruleset(posts_rules(10)), "statistics_pages": ruleset(STATISTICS_PAGES_RULES)}


def candidate_jsonl(dataset: str) -> bytes:
    """The sample site's rows of a dataset as its candidate table holds them (lower-case column names)."""
    rows = json.loads((REPO_ROOT / "tests" / "fixtures" / "wordpress_small" / f"{dataset}.json").read_text())
    return "\n".join(json.dumps({k.lower(): v for k, v in row.items()}) for row in rows).encode() + b"\n"


def lambda_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def _echo_zip(source: str = "def handler(event, context):\n    return event\n") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", source)
    return buffer.getvalue()


def pipeline_role_statements() -> list[dict[str, Any]]:
    """What the pipeline's principals do with ROLE here (the jobs' runs are simulated, the echo
    functions call nothing): crawls list and read their layer's bucket and write its catalog;
    the quality run reads the candidate table and its data and publishes its result."""
    glue = f"arn:aws:glue:{REGION}:{ACCOUNT}"
    crawler_catalog = [f"{glue}:catalog"]
    for database in DATABASES.values():
        crawler_catalog += [f"{glue}:database/{database}", f"{glue}:table/{database}/*"]
    silver = DATABASES["silver"]
    return [
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": [f"arn:aws:s3:::t-{layer}" for layer in LAYER_TABLES],
        },
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": [f"arn:aws:s3:::t-{layer}/*" for layer in LAYER_TABLES],
        },
        {
            "Effect": "Allow",
            "Action": [
                "glue:GetDatabase",
                "glue:GetTable",
                "glue:CreateTable",
                "glue:UpdateTable",
                "glue:BatchCreatePartition",
            ],
            "Resource": crawler_catalog,
        },
        {
            "Effect": "Allow",
            "Action": "glue:GetTable",
            "Resource": [
                f"{glue}:catalog",
                f"{glue}:database/{silver}",
                *(f"{glue}:table/{silver}/{t}" for t in CANDIDATE_TABLES.values()),
            ],
        },
        {
            "Effect": "Allow",
            "Action": ["glue:GetDataQualityRuleset", "glue:PublishDataQuality"],
            "Resource": [f"{glue}:dataQualityRuleset/{n}" for n in RULESETS.values()],
        },
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{SILVER_BUCKET}"},
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{SILVER_BUCKET}/_candidate/*",
        },
    ]


def deploy_pipeline_role(iam: Any) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["lambda.amazonaws.com", "glue.amazonaws.com"]},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(RoleName="pipeline-test", AssumeRolePolicyDocument=json.dumps(trust))
    policy = {"Version": "2012-10-17", "Statement": pipeline_role_statements()}
    iam.put_role_policy(RoleName="pipeline-test", PolicyName="pipeline", PolicyDocument=json.dumps(policy))


# A raw function whose fetch needs three invocations: it returns a continuation twice (counting
# in it), and on the invocation numbered FAIL_AT (if any) fails as a real function would.
CHUNKED_RAW = """
FAIL_AT = {fail_at}


def handler(event, context):
    done = (event.get("continuation") or {{}}).get("invocations", 0) + 1
    if done == FAIL_AT:
        raise RuntimeError("endpoint statistics_pages failed after retries")
    return {{**event, "continuation": {{"invocations": done}} if done < 3 else None}}
"""


class Pipeline:
    """The pipeline's resources on the emulator plus the state machine built from the real ASL."""

    def __init__(self, asl: Any) -> None:
        self.asl = asl
        self.glue = asl.glue
        self.success = asl.create_topic("success")
        self.failure = asl.create_topic("failure")
        asl.emulator.configure(
            glue_crawl={"seconds": 1.0},
            # The jobs here have no scripts: simulated runs (timing + failed_jobs), not executed ones.
            glue_job_run={"execute": False, "seconds": 1.0},
            glue_data_quality={"seconds": 1.0},
        )

    # --- resources ---------------------------------------------------------------------------
    def deploy(
        self,
        skip: tuple[str, ...] = (),
        tables: tuple[str, ...] = ("bronze", "silver", "gold"),
        rulesets: Optional[dict[str, str]] = None,
        raw_source: Optional[str] = None,
    ) -> None:
        rulesets = {**default_rulesets(), **(rulesets or {})}
        deploy_pipeline_role(self.asl.emulator.client("iam"))
        lam = self.asl.emulator.client("lambda")
        for step in ("raw", "bronze"):
            if step not in skip:
                lam.create_function(
                    FunctionName=NAMES[step],
                    Runtime="python3.12",
                    Role=ROLE,
                    Handler="handler.handler",
                    Code={"ZipFile": _echo_zip(raw_source) if step == "raw" and raw_source else _echo_zip()},
                )
        for layer, datasets in LAYER_TABLES.items():
            if f"{layer}_database" in skip:
                continue
            self.glue.create_database(DatabaseInput={"Name": DATABASES[layer]})
            if layer in tables:
                for dataset in datasets:
                    location = f"s3://{SILVER_BUCKET}/wordpress_api/{dataset}/"
                    self.glue.create_table(
                        DatabaseName=DATABASES[layer],
                        TableInput={
                            "Name": f"{layer}_{dataset}",
                            "StorageDescriptor": {"Location": location},
                        },
                    )
            if f"{layer}_crawler" not in skip:
                self.glue.create_crawler(
                    Name=CRAWLERS[layer],
                    Role=ROLE,
                    DatabaseName=DATABASES[layer],
                    TablePrefix=f"{layer}_",
                    Targets={"S3Targets": [{"Path": f"s3://t-{layer}/wordpress_api/{d}/"} for d in datasets]},
                )
        s3 = self.asl.emulator.client("s3")
        s3.create_bucket(Bucket=SILVER_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        # What the silver job's write stage leaves for the gate: each gated candidate and its table.
        for dataset, table in CANDIDATE_TABLES.items():
            s3.put_object(
                Bucket=SILVER_BUCKET,
                Key=f"_candidate/wordpress_api/{dataset}/part-0.json",
                Body=candidate_jsonl(dataset),
            )
            if "silver_database" not in skip:
                self.glue.create_table(
                    DatabaseName=DATABASES["silver"],
                    TableInput={
                        "Name": table,
                        "StorageDescriptor": {
                            "Location": f"s3://{SILVER_BUCKET}/_candidate/wordpress_api/{dataset}/"
                        },
                    },
                )
        self.glue.create_job(
            Name=NAMES["silver_job"],
            Role=ROLE,
            Command={"Name": "pythonshell", "ScriptLocation": "s3://t/s.py"},
        )
        self.glue.create_job(
            Name=NAMES["gold_job"], Role=ROLE, Command={"Name": "glueetl", "ScriptLocation": "s3://t/g.py"}
        )
        for dataset, name in RULESETS.items():
            if f"{dataset}_ruleset" not in skip:
                self.glue.create_data_quality_ruleset(
                    Name=name,
                    Ruleset=rulesets[dataset],
                    TargetTable={"DatabaseName": DATABASES["silver"], "TableName": CANDIDATE_TABLES[dataset]},
                )

    def state_machine(self, **overrides: Any) -> str:
        variables: dict[str, Any] = {
            **values.DEFINITION_VARS,
            # Short timeouts, retries and polls: the emulator answers at once.
            "lambda_task_timeout_seconds": 60,
            **values.retry_policies(interval_seconds=1, max_attempts=2),
            "workflow_timeout_seconds": 300,
            "crawler_poll_seconds": 1,
            "crawler_max_polls": 20,
            "silver_job_task_timeout_seconds": 120,
            "gold_job_task_timeout_seconds": 120,
            "dq_role_arn": ROLE,
            "dq_timeout_minutes": 5,
            "dq_poll_seconds": 1,
            "dq_max_polls": 20,
            "success_topic_arn": self.success.arn,
            "failure_topic_arn": self.failure.arn,
            **overrides,
        }
        counts = {f"{layer}_table_count": len(t) for layer, t in LAYER_TABLES.items()}
        assert counts.items() <= variables.items(), "the tables deployed here are the ones it counts"
        return self.asl.create_state_machine("medallion", ASL, variables)

    def run(
        self, arn: str, payload: Optional[dict[str, Any]] = None, timeout: float = 90.0
    ) -> tuple[dict[str, Any], list[str]]:
        execution = self.asl.start(arn, payload if payload is not None else {"ingest_date": INGEST_DATE})
        described = self.asl.wait(execution, timeout=timeout)
        return described, self.entered(execution)

    def entered(self, execution: str) -> list[str]:
        """States entered, the shared catalog/crawl states named for their layer."""
        return by_layer(self.asl.entered_states(execution))

    def history(self, described: dict[str, Any]) -> list[dict[str, Any]]:
        return self.asl.history(described["executionArn"])


@pytest.fixture
def pipeline(asl: Any) -> Pipeline:
    return Pipeline(asl)


def failure_messages(pipeline: Pipeline) -> list[str]:
    return [m["Message"] for m in pipeline.asl.messages(pipeline.failure, wait_seconds=3.0)]


def assert_failed_at(
    pipeline: Pipeline, described: dict[str, Any], entered: list[str], step: str, later_than: str
) -> None:
    assert described["status"] == "FAILED", described
    messages = failure_messages(pipeline)
    assert len(messages) == 1, messages
    assert f"failed at step {step}:" in messages[0], messages[0]
    assert described.get("error") == "MedallionPipeline.StepFailed", described
    assert described.get("cause", "") == messages[0], "the execution's cause is the notification"
    never = MILESTONES[MILESTONES.index(later_than) + 1 :]
    assert not set(never) & set(entered), sorted(set(never) & set(entered))
    assert pipeline.asl.messages(pipeline.success) == []


# ---------------------------------------------------------------------------------------------
def test_all_steps_succeed_and_ingest_date_reaches_every_step(pipeline):
    pipeline.deploy()
    arn = pipeline.state_machine()
    described, entered = pipeline.run(
        arn, {"ingest_date": INGEST_DATE, "crawl": {"bronze": True, "silver": True, "gold": True}}
    )

    assert described["status"] == "SUCCEEDED", (described.get("error"), described.get("cause"), entered)
    for state in MILESTONES:
        assert state in entered, state
    assert (
        entered.index("RawIngest")
        < entered.index("BronzeLoad")
        < entered.index("StartBronzeCrawler")
        < entered.index("RunSilverJob")
    )
    assert (
        entered.index("RunSilverJob")
        < entered.index("StartSilverQualityRun")
        < entered.index("GetSilverQualityResult")
        < entered.index("PublishSilver")
        < entered.index("StartSilverCrawler")
        < entered.index("RunGoldJob")
        < entered.index("StartGoldCrawler")
    )
    scheduled = [
        json.loads(e["taskScheduledEventDetails"]["parameters"])
        for e in pipeline.history(described)
        if "taskScheduledEventDetails" in e
    ]
    lambda_payloads = [p["Payload"] for p in scheduled if "FunctionName" in p]
    assert [p["ingest_date"] for p in lambda_payloads] == [INGEST_DATE, INGEST_DATE]
    # Raw also gets the execution input (where a backfill's `from` comes from).
    assert isinstance(lambda_payloads[0]["input"], dict) and "input" not in lambda_payloads[1]
    job_runs = {
        job: sorted(
            (r["Arguments"].get("--stage", ""), r["Arguments"]["--ingest_date"])
            for r in pipeline.glue.get_job_runs(JobName=NAMES[job])["JobRuns"]
        )
        for job in ("silver_job", "gold_job")
    }
    assert job_runs == {
        "silver_job": [("publish", INGEST_DATE), ("write", INGEST_DATE)],
        "gold_job": [("", INGEST_DATE)],
    }
    success = pipeline.asl.messages(pipeline.success, wait_seconds=3.0)
    assert len(success) == 1 and INGEST_DATE in success[0]["Message"]
    assert failure_messages(pipeline) == []


def test_raw_is_invoked_again_while_it_returns_a_continuation(pipeline):
    pipeline.deploy(raw_source=CHUNKED_RAW.format(fail_at=0))
    described, entered = pipeline.run(pipeline.state_machine())

    assert described["status"] == "SUCCEEDED", (described.get("error"), described.get("cause"), entered)
    assert entered.count("RawIngest") == 3 and entered.count("BronzeLoad") == 1
    assert entered.index("BronzeLoad") > max(i for i, state in enumerate(entered) if state == "RawIngest")
    payloads = [
        json.loads(e["taskScheduledEventDetails"]["parameters"])["Payload"]
        for e in pipeline.history(described)
        if "taskScheduledEventDetails" in e and "FunctionName" in e["taskScheduledEventDetails"]["parameters"]
    ]
    assert [p.get("continuation") for p in payloads[:3]] == [None, {"invocations": 1}, {"invocations": 2}]
    assert failure_messages(pipeline) == []


def test_a_failing_continuation_invocation_notifies_once_and_fails(pipeline):
    pipeline.deploy(raw_source=CHUNKED_RAW.format(fail_at=2))
    described, entered = pipeline.run(pipeline.state_machine())

    assert entered.count("RawIngest") == 2
    assert_failed_at(pipeline, described, entered, "RawIngest", "RawIngest")


def test_a_backfill_from_reaches_the_silver_write_and_a_daily_run_passes_none(pipeline):
    pipeline.deploy()
    arn = pipeline.state_machine()
    daily, _ = pipeline.run(arn)
    backfill, entered = pipeline.run(arn, {"ingest_date": INGEST_DATE, "from": "2026-11-01"})

    assert daily["status"] == backfill["status"] == "SUCCEEDED", (backfill.get("cause"), entered)
    runs = pipeline.glue.get_job_runs(JobName=NAMES["silver_job"])["JobRuns"]
    writes = sorted(
        r["Arguments"]["--backfill_from"] for r in runs if r["Arguments"].get("--stage") == "write"
    )
    assert writes == ["2026-11-01", "none"]
    assert all(
        "--backfill_from" not in r["Arguments"] for r in runs if r["Arguments"].get("--stage") == "publish"
    )


def test_ingest_date_defaults_to_the_schedules_date(pipeline):
    pipeline.deploy()
    arn = pipeline.state_machine()
    described, entered = pipeline.run(arn, {"scheduled_time": "2026-11-21T07:00:00Z"})
    assert described["status"] == "SUCCEEDED", (described.get("error"), described.get("cause"), entered)
    assert not {"StartBronzeCrawler", "StartSilverCrawler", "StartGoldCrawler"} & set(entered), (
        "tables exist: no crawl"
    )
    runs = pipeline.glue.get_job_runs(JobName=NAMES["silver_job"])["JobRuns"]
    assert [r["Arguments"]["--ingest_date"] for r in runs] == ["2026-11-21", "2026-11-21"]


def test_missing_silver_tables_are_crawled_after_publish_not_before_the_gate(pipeline):
    # The gate evaluates the candidate table the write stage registers, so a missing live table
    # (first run) no longer delays it: the crawl follows the publish.
    pipeline.deploy(tables=("bronze", "gold"))
    arn = pipeline.state_machine()
    described, entered = pipeline.run(arn)
    assert described["status"] == "SUCCEEDED", (described.get("error"), described.get("cause"), entered)
    assert "StartBronzeCrawler" not in entered and "StartGoldCrawler" not in entered
    assert (
        entered.index("RunSilverJob")
        < entered.index("StartSilverQualityRun")
        < entered.index("PublishSilver")
        < entered.index("CheckSilverCatalog")
        < entered.index("StartSilverCrawler")
        < entered.index("RunGoldJob")
    )
    assert entered.count("StartSilverCrawler") == 1


# Each case: the step named in the notification, the last milestone that may be entered, how the
# failure is produced (a real AWS error from a missing resource, a failing job, or an injected fault).
FAILURES = [
    ("RawIngest", "RawIngest", {"skip": ("raw",)}, {}, None),
    ("BronzeLoad", "BronzeLoad", {"skip": ("bronze",)}, {}, None),
    ("CheckBronzeCatalog", "CheckBronzeCatalog", {"skip": ("bronze_database",)}, {}, None),
    ("StartBronzeCrawler", "StartBronzeCrawler", {"skip": ("bronze_crawler",)}, {"bronze": True}, None),
    (
        "GetBronzeCrawler",
        "GetBronzeCrawler",
        {},
        {"bronze": True},
        ("glue", "GetCrawler", "AccessDeniedException"),
    ),
    ("RunSilverJob", "RunSilverJob", {}, {}, "silver_job"),
    (
        "PublishSilver",
        "PublishSilver",
        {},
        {},
        {"job": NAMES["silver_job"], "arguments": {"--stage": "publish"}},
    ),
    ("StartSilverCrawler", "StartSilverCrawler", {"skip": ("silver_crawler",)}, {"silver": True}, None),
    ("RunGoldJob", "RunGoldJob", {}, {}, "gold_job"),
    ("CheckGoldCatalog", "CheckGoldCatalog", {"skip": ("gold_database",)}, {}, None),
    ("StartGoldCrawler", "StartGoldCrawler", {"skip": ("gold_crawler",)}, {"gold": True}, None),
]


@pytest.mark.parametrize(("step", "last", "deploy", "crawl", "fault"), FAILURES, ids=[f[0] for f in FAILURES])
def test_failure_at_each_step_notifies_once_and_fails(pipeline, step, last, deploy, crawl, fault):  # noqa: PLR0917
    pipeline.deploy(**deploy)
    arn = pipeline.state_machine()
    if isinstance(fault, tuple):
        pipeline.asl.emulator.inject_fault(fault[0], fault[1], fault[2], "injected for the test", 400, 1)
    elif isinstance(fault, str):
        pipeline.asl.emulator.configure(glue_job_run={"failed_jobs": [NAMES[fault]]})
    elif isinstance(fault, dict):
        pipeline.asl.emulator.configure(glue_job_run={"failed_jobs": [fault]})
    described, entered = pipeline.run(arn, {"ingest_date": INGEST_DATE, "crawl": crawl})
    assert_failed_at(pipeline, described, entered, step, last)
    assert entered.count("DescribeFailure") == 1  # the step's own Catch recorded it on the one path


def test_failure_at_check_silver_catalog_notifies_once_and_fails(pipeline):
    # CheckBronzeCatalog makes the same call earlier, so the fault is injected once it is done:
    # entering RunSilverJob proves that, and leaves the silver job, the gate and publish (several
    # seconds) before CheckSilverCatalog, where entering PublishSilver left one job's second.
    pipeline.deploy()
    arn = pipeline.state_machine()
    execution = pipeline.asl.start(arn, {"ingest_date": INGEST_DATE})
    pipeline.asl.wait_for_state(execution, "RunSilverJob")
    pipeline.asl.emulator.inject_fault("glue", "GetTables", "AccessDeniedException", "injected", 400, 1)
    described = pipeline.asl.wait(execution, timeout=90)
    entered = pipeline.entered(execution)
    assert_failed_at(pipeline, described, entered, "CheckSilverCatalog", "CheckSilverCatalog")
    assert entered.count("DescribeFailure") == 1


def test_failed_success_notification_still_fails_the_run(pipeline):
    pipeline.deploy()
    arn = pipeline.state_machine(success_topic_arn=f"arn:aws:sns:{REGION}:{ACCOUNT}:no-such-topic")
    described, entered = pipeline.run(arn)
    assert_failed_at(pipeline, described, entered, "NotifySuccess", "NotifySuccess")


def test_crawler_already_running_is_waited_for_then_started(pipeline):
    pipeline.deploy()
    # Someone else's crawl is running before the run reaches its own start, and keeps running
    # until the run has seen it busy: the order is fixed by the test, not by how fast the
    # emulator gets from BronzeLoad to StartBronzeCrawler (starting the other crawl on entering
    # BronzeLoad lost that race under load). Crawl time is read when a crawl's state is read,
    # so shortening it ends the other crawl.
    pipeline.asl.emulator.configure(glue_crawl={"seconds": 600.0})
    pipeline.glue.start_crawler(Name=CRAWLERS["bronze"])
    arn = pipeline.state_machine()
    execution = pipeline.asl.start(arn, {"ingest_date": INGEST_DATE, "crawl": {"bronze": True}})
    # StartCrawler found the crawler busy (its Catch waits instead of failing) once the run waits.
    pipeline.asl.wait_for_state(execution, "WaitForCrawler", timeout=60)
    assert busy_starts(pipeline, execution) == 1
    assert pipeline.glue.get_crawler(Name=CRAWLERS["bronze"])["Crawler"]["State"] == "RUNNING"
    pipeline.asl.emulator.configure(glue_crawl={"seconds": 1.0})
    described = pipeline.asl.wait(execution, timeout=90)
    entered = pipeline.entered(execution)
    assert described["status"] == "SUCCEEDED", (described.get("error"), described.get("cause"), entered)
    assert busy_starts(pipeline, execution) == 1
    assert entered.count("StartBronzeCrawler") == 2, "our crawl starts after the running one ends"
    last = pipeline.glue.get_crawler(Name=CRAWLERS["bronze"])["Crawler"]["LastCrawl"]["Status"]
    assert last == "SUCCEEDED"


def busy_starts(pipeline: Pipeline, execution: str) -> int:
    """Crawler starts that failed because another crawl was running (and were caught)."""
    return sum(
        1
        for e in pipeline.asl.history(execution)
        if e["type"] == "TaskFailed"
        and e["taskFailedEventDetails"]["error"] == "Glue.CrawlerRunningException"
    )


def failed_rules(cause: str) -> list[dict[str, Any]]:
    """The rule results a DataQuality.RulesFailed cause ends with (a JSON list)."""
    return json.loads(cause[cause.index("failed rules: ") + len("failed rules: ") :])


def test_quality_rules_failing_fail_the_run(pipeline):
    pipeline.deploy(rulesets={"posts": ruleset(posts_rules(row_count_floor=1_000_000))})
    arn = pipeline.state_machine()
    described, entered = pipeline.run(arn)
    assert_failed_at(pipeline, described, entered, "SilverQuality", "GetSilverQualityResult")
    assert described["error"] == "MedallionPipeline.StepFailed"
    assert (
        "SilverQuality: DataQuality.RulesFailed: dataset posts (table candidate_posts) at "
        f"SilverQualityEvaluation: ruleset {RULESETS['posts']} score" in described["cause"]
    ), described["cause"]
    assert [r["Description"] for r in failed_rules(described["cause"])] == ["RowCount >= 1000000"]
    runs = pipeline.glue.get_job_runs(JobName=NAMES["silver_job"])["JobRuns"]
    assert [r["Arguments"]["--stage"] for r in runs] == ["write"], "a failed gate publishes nothing"


def test_second_gated_dataset_failing_blocks_publish_and_names_dataset_and_rule(pipeline):
    # posts passes its rules; statistics_pages fails one of its two (the sample's counts start at 1).
    failing = 'ColumnValues "count" >= 1000'
    pipeline.deploy(rulesets={"statistics_pages": ruleset(['IsComplete "page_id"', failing])})
    # One gate at a time, in order, so posts's gate has passed before statistics_pages's fails:
    # with both at once the failing iteration may end the Map first (Step Functions stops the
    # other iterations when one fails), and whether posts got to pass would be a race.
    arn = pipeline.state_machine(dq_max_concurrency=1)
    described, entered = pipeline.run(arn)
    assert_failed_at(pipeline, described, entered, "SilverQuality", "GetSilverQualityResult")
    assert entered.count("StartSilverQualityRun") == 2, "both gated candidates are evaluated"
    assert entered.count("SilverQualityGatePassed") == 1, "posts passed its gate"
    message = described["cause"]  # assert_failed_at checked it is the notification's text
    assert "DataQuality.RulesFailed: dataset statistics_pages (table candidate_statistics_pages)" in message
    assert f"ruleset {RULESETS['statistics_pages']} score 0.5" in message, message
    assert [(r["Description"], r["Result"]) for r in failed_rules(message)] == [(failing, "FAIL")]
    runs = pipeline.glue.get_job_runs(JobName=NAMES["silver_job"])["JobRuns"]
    assert [r["Arguments"]["--stage"] for r in runs] == ["write"], "a failed gate publishes nothing"


GATE_FAILURES = [
    ("StartSilverQualityRun", {"skip": ("statistics_pages_ruleset",)}, None, "statistics_pages"),
    (
        "GetSilverQualityRun",
        {},
        ("glue", "GetDataQualityRulesetEvaluationRun", "AccessDeniedException"),
        None,
    ),
    ("GetSilverQualityResult", {}, ("glue", "GetDataQualityResult", "AccessDeniedException"), None),
]


@pytest.mark.parametrize(
    ("step", "deploy", "fault", "dataset"), GATE_FAILURES, ids=[f[0] for f in GATE_FAILURES]
)
def test_failure_inside_the_gate_names_dataset_and_step(pipeline, step, deploy, fault, dataset):
    pipeline.deploy(**deploy)
    arn = pipeline.state_machine()
    if fault:
        pipeline.asl.emulator.inject_fault(fault[0], fault[1], fault[2], "injected for the test", 400, 1)
    described, entered = pipeline.run(arn)
    assert_failed_at(pipeline, described, entered, "SilverQuality", "GetSilverQualityResult")
    assert "DescribeQualityFailure" in entered and entered.count("DescribeFailure") == 1
    named = [
        d for d in GATED if f"dataset {d} (table {CANDIDATE_TABLES[d]}) at {step}: " in described["cause"]
    ]
    assert named == [dataset] if dataset else len(named) == 1, described["cause"]
    runs = pipeline.glue.get_job_runs(JobName=NAMES["silver_job"])["JobRuns"]
    assert [r["Arguments"]["--stage"] for r in runs] == ["write"], "a failed gate publishes nothing"


def test_throttling_is_absorbed_by_retry(pipeline):
    pipeline.deploy()
    arn = pipeline.state_machine()
    pipeline.asl.emulator.inject_fault("glue", "StartCrawler", "ThrottlingException", "Rate exceeded", 400, 1)
    described, entered = pipeline.run(arn, {"ingest_date": INGEST_DATE, "crawl": {"gold": True}})
    assert described["status"] == "SUCCEEDED", (described.get("error"), described.get("cause"), entered)
    failed = [e for e in pipeline.history(described) if e["type"] == "TaskFailed"]
    assert [e["taskFailedEventDetails"]["error"] for e in failed] == ["Glue.ThrottlingException"]
    assert entered.count("StartGoldCrawler") == 1, "a Retry re-runs the task without re-entering the state"
    assert failure_messages(pipeline) == []
