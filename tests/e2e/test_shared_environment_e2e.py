"""One environment, two products: envs/local applied once with `music_library = true`
(modules/lakehouse_environment's `products`), on an emulator of its own.

The WordPress workflow (the local sample site) and the music-library workflow (one day of the
sample library dropped in the environment's landing bucket) both run to SUCCEEDED on the one
storage: one set of layer buckets, two separate state machines, both products' gold reports in the
one gold bucket under their own source prefix. Exact numbers stay with each product's own e2e
(test_pipeline_e2e.py, test_music_library_e2e.py); this test proves they share an environment.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from demo_music_library import package as package_music_library
from local_emulator.handle import running_emulator
from music_library_sample.generate import day_files, generate_library
from run_schedule import follow
from wordpress_sample.server import WordPressApi

from tests.e2e.conftest import AppliedEnv, applied_local, build_artifacts

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]

RUN_TIMEOUT = 600.0
MUSIC = "music_library"
WORDPRESS = "wordpress_api"
MUSIC_REPORTS = ("genre_bpm_band", "key_distribution", "plays_by_track_month", "rarely_played")
# One day of a small library is enough here; test_music_library_e2e.py checks the numbers.
LIBRARY = generate_library(seed=7, tracks=12, days=1)
[DAY] = LIBRARY.days


@pytest.fixture(scope="module")
def shared_env(local_site: WordPressApi, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppliedEnv]:
    work_dir = tmp_path_factory.mktemp("envs-local-shared")
    build_artifacts()  # make package: WordPress's dist/
    package_music_library()  # the music product's own build: dist/music_library
    with (
        running_emulator(tmp_path_factory.mktemp("shared-emulator")) as emulator,
        applied_local(emulator, work_dir, local_site, music_library="true") as applied,
    ):
        print(f"envs/local with music_library=true applied in {applied.apply_seconds:.1f} s")
        yield applied


@dataclass
class Both:
    wordpress: dict[str, Any]
    music: dict[str, Any]
    gold_keys: list[str]


def _run(applied: AppliedEnv, workflow_arn: str, name: str) -> dict[str, Any]:
    sfn = applied.emulator.client("stepfunctions")
    execution = sfn.start_execution(
        stateMachineArn=workflow_arn, name=name, input=json.dumps({"ingest_date": DAY.isoformat()})
    )
    return follow(sfn, execution["executionArn"], lambda *_: None, 0.5, RUN_TIMEOUT)


def _keys(applied: AppliedEnv, bucket: str) -> list[str]:
    found: list[str] = []
    for page in applied.emulator.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket):
        found.extend(item["Key"] for item in page.get("Contents", []))
    return sorted(found)


@pytest.fixture(scope="module")
def both(shared_env: AppliedEnv) -> Both:
    s3 = shared_env.emulator.client("s3")
    landing = shared_env.output("storage_landing_bucket")["name"]
    for name, body in day_files(LIBRARY, DAY).items():
        s3.put_object(Bucket=landing, Key=f"{MUSIC}/{name}", Body=body)
    music_arn = shared_env.output("products")[MUSIC]["workflow_arn"]
    wordpress = _run(shared_env, shared_env.output("pipeline_workflow_arn"), "shared-wordpress")
    music = _run(shared_env, music_arn, "shared-music")
    return Both(wordpress, music, _keys(shared_env, shared_env.output("storage_bucket_names")["gold"]))


def test_one_environment_has_one_storage_and_two_separate_pipelines(shared_env):
    outputs = shared_env.outputs
    music = outputs["products"][MUSIC]
    arns = {
        m["stateMachineArn"]
        for m in shared_env.emulator.client("stepfunctions").list_state_machines()["stateMachines"]
    }
    assert {outputs["pipeline_workflow_arn"], music["workflow_arn"]} <= arns
    assert outputs["pipeline_workflow_arn"] != music["workflow_arn"]
    assert music["pipeline"]["workflow_name"] == "frugal-local-music-library-pipeline"
    # One set of layer buckets: the one storage the WordPress pipeline and the product both use.
    buckets = [b["Name"] for b in shared_env.emulator.client("s3").list_buckets()["Buckets"]]
    assert sorted(b for b in buckets if "-gold-" in b) == [outputs["storage_bucket_names"]["gold"]]
    assert (
        music["pipeline"]["silver_job_arguments"]["--silver_bucket"]
        == outputs["storage_bucket_names"]["silver"]
    )
    assert music["pipeline"]["definition_vars"]["failure_topic_arn"] == outputs["failure_topic_arn"]


def test_both_workflows_succeed_on_the_one_storage(both):
    assert both.wordpress["status"] == "SUCCEEDED", both.wordpress
    assert both.music["status"] == "SUCCEEDED", both.music


def test_both_products_gold_is_in_the_one_gold_bucket(both):
    def parquet(prefix: str) -> list[str]:
        return [k for k in both.gold_keys if k.startswith(prefix) and k.endswith(".parquet")]

    assert parquet(f"{WORDPRESS}/statistics_postname/")
    for report in MUSIC_REPORTS:
        assert parquet(f"{MUSIC}/{report}/"), report
    # Nothing outside the two products' prefixes.
    assert {k.split("/", 1)[0] for k in both.gold_keys} == {WORDPRESS, MUSIC}
