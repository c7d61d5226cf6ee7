"""Bronze Lambda on raw runs stored in parts (a fetch larger than one object or one invocation):
part by part into one partition, never half a run, never a key twice."""

import datetime as dt
import json

import awswrangler as wr
import pytest
from fixtures_wordpress_bronze import CONTRACT, DATE, etags, put_fixture, run
from fixtures_wordpress_raw import HOOKS
from raw_ingest import handler as raw_ingest

from lakehouse_common import bronze, raw_http

PARAMETER = "/lake-test/wordpress/endpoints"


def raw_in_parts(lambda_aws, wordpress_api, run_id, max_bytes=20_000):
    lambda_aws.ssm.put_parameter(
        Name=PARAMETER, Value=json.dumps(wordpress_api.endpoints(per_page=100)), Type="String", Overwrite=True
    )
    config = raw_ingest.Settings(
        CONTRACT, lambda_aws.raw_bucket, CONTRACT.dataset_names, endpoints_parameter=PARAMETER,
        object_max_bytes=max_bytes, hooks=HOOKS,
    )  # fmt: skip
    clients = {"ssm": lambda_aws.ssm, "s3": lambda_aws.s3, "sns": lambda_aws.sns}
    http = raw_http.build_http(5.0, 0, 0.1)
    return raw_ingest.run({"ingest_date": DATE, "run_id": run_id}, config, http=http, **clients)


def bronze_rows(lambda_aws, dataset):
    prefix = f"s3://{lambda_aws.bronze_bucket}/wordpress_api/{dataset}/ingest_date={DATE}/"
    return wr.s3.read_parquet(prefix).sort_values(list(CONTRACT.dataset(dataset).keys)).to_dict("records")


def test_parts_are_loaded_one_by_one_into_one_partition(lambda_aws, wordpress_api, wordpress_small):
    put_fixture(lambda_aws, run_id="run-0")  # an older single-object run of the same date
    stored = raw_in_parts(lambda_aws, wordpress_api, "run-1")
    assert stored["datasets"]["statistics_pages"]["objects"] > 2

    summary = run(lambda_aws)

    loaded = summary["datasets"]["statistics_pages"]
    assert loaded["rows"] == len(wordpress_small["statistics_pages"])
    assert loaded["raw_objects"] == loaded["objects"] == stored["datasets"]["statistics_pages"]["objects"]
    keys = [k for k in etags(lambda_aws, lambda_aws.bronze_bucket) if "/statistics_pages/" in k]
    assert keys == [
        f"wordpress_api/statistics_pages/ingest_date={DATE}/statistics_pages.part-{n:05d}.parquet"
        for n in range(loaded["objects"])
    ]  # the older run's single file is gone
    rows = bronze_rows(lambda_aws, "statistics_pages")
    assert [row["page_id"] for row in rows] == sorted(
        r["page_id"] for r in wordpress_small["statistics_pages"]
    )
    assert sum(row["count"] for row in rows) == sum(r["count"] for r in wordpress_small["statistics_pages"])


def test_an_unfinished_run_in_parts_is_refused_and_the_partition_kept(lambda_aws, wordpress_api):
    put_fixture(lambda_aws, run_id="run-0")
    run(lambda_aws)
    before = etags(lambda_aws, lambda_aws.bronze_bucket)
    raw_in_parts(lambda_aws, wordpress_api, "run-1")
    last = max(
        k for k in etags(lambda_aws, lambda_aws.raw_bucket) if "/statistics_pages/" in k and "part" in k
    )
    lambda_aws.s3.delete_object(Bucket=lambda_aws.raw_bucket, Key=last)  # as if the fetch stopped early

    with pytest.raises(bronze.BronzeLoadError, match=r"statistics_pages: raw run run-1 .* is incomplete"):
        run(lambda_aws)

    after = etags(lambda_aws, lambda_aws.bronze_bucket)
    stats = {k: v for k, v in before.items() if "/statistics_pages/" in k}
    assert {k: after.get(k) for k in stats} == stats and all(
        "part" not in k for k in after if "/statistics_pages/" in k
    )


def _put_parts(lambda_aws, dataset, parts):
    for number, part in enumerate(parts):
        # Stamped as the raw Lambda stamps every part: run-0 was written within the same second
        # more often than not, and only the ingested-at stamp makes run-1 the newer run.
        stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
        lambda_aws.s3.put_object(
            Bucket=lambda_aws.raw_bucket,
            Key=f"wordpress_api/{dataset}/ingest_date={DATE}/run-1.part-{number:05d}.json",
            Body=json.dumps(part).encode(),
            Metadata={"last-part": "true" if number == len(parts) - 1 else "false", "ingested-at": stamp},
        )


def test_rows_repeated_exactly_across_parts_are_dropped(lambda_aws, wordpress_small):
    rows = wordpress_small["terms"]
    _put_parts(lambda_aws, "terms", [rows[:10], rows[5:]])

    summary = run(lambda_aws, datasets=["terms"])

    assert summary["datasets"]["terms"]["rows"] == len(rows)
    assert bronze_rows(lambda_aws, "terms") == sorted(rows, key=lambda row: row["term_id"])


def test_a_key_repeated_across_parts_with_other_values_fails_and_leaves_the_previous_partition(
    lambda_aws, wordpress_small
):
    put_fixture(lambda_aws, run_id="run-0")
    run(lambda_aws)
    before = etags(lambda_aws, lambda_aws.bronze_bucket)
    rows = wordpress_small["terms"]
    changed = [dict(rows[7], name="renamed")]
    _put_parts(lambda_aws, "terms", [rows[:10], changed + rows[10:]])

    key = rows[7]["term_id"]
    with pytest.raises(
        bronze.BronzeLoadError,
        match=rf"terms: .*1 rows of part 1 share a key \['term_id'\] with an earlier part but differ; "
        rf'conflicting keys include \[{{"term_id": "{key}"}}\]',
    ):
        run(lambda_aws)

    assert etags(lambda_aws, lambda_aws.bronze_bucket) == before
