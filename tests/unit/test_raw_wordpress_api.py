"""The WordPress source through the generic raw Lambda (raw_ingest, configured by
sources/wordpress_api: its contract and raw hooks) against in-process moto and the sample
WordPress API on a real local socket."""

import json

import pytest
import urllib3
from fixtures_wordpress_raw import (
    DATASETS,
    DATE,
    PARAMETER,
    SOURCES,
    build_http,
    key,
    put_endpoints,
    run,
    settings,
)
from raw_ingest import handler as raw_ingest
from wordpress_sample.server import Fault

from lakehouse_common import raw, raw_http
from lakehouse_common.contract import SOURCES_DIR_ENV


def test_happy_path_stores_every_dataset_exactly(lambda_aws, wordpress_api, wordpress_small):
    put_endpoints(lambda_aws, wordpress_api.endpoints(per_page=100))

    summary = run(lambda_aws, {"ingest_date": DATE, "run_id": "run-1"})

    assert summary["ingest_date"] == DATE and summary["failed"] == {}
    stored = lambda_aws.objects(lambda_aws.raw_bucket)
    assert sorted(stored) == sorted(key(dataset) for dataset in DATASETS)
    for dataset in DATASETS:
        # What the site serves: the plugin's default export of the sample (published posts and pages).
        assert json.loads(stored[key(dataset)]) == wordpress_api.site[dataset]
        assert summary["datasets"][dataset] == {
            "objects": 1,
            "rows": len(wordpress_api.site[dataset]),
            "pages": -(-len(wordpress_api.site[dataset]) // 100),
            "bytes": len(stored[key(dataset)]),
            "key": key(dataset),
        }
    # 798 statistics rows at 100 per page: 8 requests, each one page.
    assert len(wordpress_api.requests_for("statistics_pages")) == 8
    assert summary["datasets"]["statistics_pages"]["pages"] == 8
    assert lambda_aws.notifications() == []
    json.dumps(summary)  # the workflow receives it as JSON


def test_single_page_body_is_stored_byte_for_byte(lambda_aws, wordpress_api):
    body = b'[{"term_id": 1,   "name": "Caf\xc3\xa9 &amp; Bar"}]'
    wordpress_api.add_fault("terms", Fault(status=200, body=body))
    put_endpoints(lambda_aws, {"terms": wordpress_api.url("terms")})

    run(lambda_aws, {"ingest_date": DATE, "run_id": "run-1"})

    assert lambda_aws.objects(lambda_aws.raw_bucket) == {key("terms"): body}


def test_follows_wordpress_default_page_size(lambda_aws, wordpress_api, wordpress_small):
    # No per_page in the URL: WordPress pages by 10, so 18 terms come in 2 pages, by key: the
    # second asks for the rows after the first page's last term_id (the server's next link).
    put_endpoints(lambda_aws, {"terms": wordpress_api.url("terms")})

    summary = run(lambda_aws, {"ingest_date": DATE, "run_id": "run-1"})

    requests = wordpress_api.requests_for("terms")
    tenth = sorted(row["term_id"] for row in wordpress_small["terms"])[9]
    assert requests == ["/wp-json/lakehouse/v1/terms?after=0", f"/wp-json/lakehouse/v1/terms?after={tenth}"]
    assert summary["datasets"]["terms"]["pages"] == 2
    assert json.loads(lambda_aws.objects(lambda_aws.raw_bucket)[key("terms")]) == wordpress_small["terms"]


def test_second_run_adds_a_new_object_and_never_overwrites(lambda_aws, wordpress_api):
    put_endpoints(lambda_aws, wordpress_api.endpoints(per_page=100))
    run(lambda_aws, {"ingest_date": DATE, "run_id": "run-1"})
    first = lambda_aws.objects(lambda_aws.raw_bucket)
    first_meta = {k: lambda_aws.s3.head_object(Bucket=lambda_aws.raw_bucket, Key=k)["ETag"] for k in first}

    run(lambda_aws, {"ingest_date": DATE, "run_id": "run-2"})

    second = lambda_aws.objects(lambda_aws.raw_bucket)
    assert sorted(second) == sorted([key(d) for d in DATASETS] + [key(d, "run-2") for d in DATASETS])
    for k, body in first.items():
        assert second[k] == body
        assert lambda_aws.s3.head_object(Bucket=lambda_aws.raw_bucket, Key=k)["ETag"] == first_meta[k]
    assert all(second[key(d, "run-2")] == first[key(d)] for d in DATASETS)


def test_reused_run_id_fails_and_keeps_the_first_copy(lambda_aws, wordpress_api):
    put_endpoints(lambda_aws, {"terms": wordpress_api.url("terms", 100)})
    run(lambda_aws, {"ingest_date": DATE, "run_id": "run-1"})
    before = lambda_aws.objects(lambda_aws.raw_bucket)
    wordpress_api.add_fault("terms", Fault(status=200, body=b'[{"term_id": 99}]'))

    with pytest.raises(raw_ingest.RawIngestError, match="already exists"):
        run(lambda_aws, {"ingest_date": DATE, "run_id": "run-1"})

    assert lambda_aws.objects(lambda_aws.raw_bucket) == before
    [note] = lambda_aws.notifications()
    assert "terms" in note["Subject"] and "never overwritten" in note["Message"]


def test_endpoint_500_is_retried_then_fails_others_are_kept(lambda_aws, wordpress_api, wordpress_small):
    put_endpoints(lambda_aws, wordpress_api.endpoints(per_page=100))
    wordpress_api.add_fault("posts", Fault(status=500, times=None))

    with pytest.raises(
        raw_ingest.RawIngestError, match=r"1 of 5 datasets failed: posts: .*too many 500 error"
    ):
        run(lambda_aws, {"ingest_date": DATE, "run_id": "run-1"})

    assert len(wordpress_api.requests_for("posts")) == 3  # first try + HTTP_MAX_RETRIES=2
    stored = lambda_aws.objects(lambda_aws.raw_bucket)
    assert sorted(stored) == sorted(key(d) for d in DATASETS if d != "posts")
    assert json.loads(stored[key("terms")]) == wordpress_small["terms"]
    [note] = lambda_aws.notifications()
    assert note["Subject"] == "raw_wordpress_api failed: posts"
    assert (
        "- posts: endpoint posts (" in note["Message"] and "too many 500 error responses" in note["Message"]
    )
    assert "Succeeded (kept): statistics_pages, term_relationships, term_taxonomy, terms" in note["Message"]


def test_transient_500_is_retried_and_succeeds(lambda_aws, wordpress_api, wordpress_small):
    put_endpoints(lambda_aws, {"posts": wordpress_api.url("posts", 100)})
    wordpress_api.add_fault("posts", Fault(status=503, times=1))

    summary = run(lambda_aws, {"ingest_date": DATE, "run_id": "run-1"})

    assert len(wordpress_api.requests_for("posts")) == 2
    assert summary["datasets"]["posts"]["rows"] == len(wordpress_api.site["posts"])
    assert lambda_aws.notifications() == []


def test_timeout_is_retried_then_reported(lambda_aws, wordpress_api):
    put_endpoints(lambda_aws, {"terms": wordpress_api.url("terms", 100)})
    wordpress_api.add_fault("terms", Fault(status=200, body=b"[]", delay=1.0, times=None))

    with pytest.raises(
        raw_ingest.RawIngestError, match=r"terms: .*failed after retries: .*[Rr]ead timed out"
    ):
        run(lambda_aws, {"ingest_date": DATE, "run_id": "run-1"}, timeout_seconds=0.2, max_retries=1)

    assert len(wordpress_api.requests_for("terms")) == 2
    assert lambda_aws.objects(lambda_aws.raw_bucket) == {}
    assert "timed out" in lambda_aws.notifications()[0]["Message"]


def test_not_found_is_not_retried(lambda_aws, wordpress_api):
    put_endpoints(lambda_aws, {"terms": wordpress_api.base_url + "no_such_route"})

    with pytest.raises(
        raw_ingest.RawIngestError, match=r"has no such route \(404\): is the lakehouse-export plugin"
    ):
        run(lambda_aws, {"ingest_date": DATE, "run_id": "run-1"})

    assert len(wordpress_api.requests) == 1


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        (b'[{"ID": 1}, {"ID": 2', "returned invalid JSON"),
        (b"<html>maintenance</html>", "returned an HTML page instead of JSON"),
        (b"[]", "returned an empty array"),
        (b'{"code": "rest_forbidden"}', "returned a JSON dict, expected an array of objects"),
        (b'[{"ID": 1}, 2, "x"]', r"non-object rows at positions \[1, 2\]"),
    ],
)
def test_bad_body_fails_and_leaves_earlier_runs_in_place(lambda_aws, wordpress_api, body, cause):
    put_endpoints(
        lambda_aws, {"posts": wordpress_api.url("posts", 100), "terms": wordpress_api.url("terms", 100)}
    )
    run(lambda_aws, {"ingest_date": DATE, "run_id": "run-1"})
    before = lambda_aws.objects(lambda_aws.raw_bucket)
    wordpress_api.add_fault("posts", Fault(status=200, body=body))

    with pytest.raises(raw_ingest.RawIngestError, match=f"posts: endpoint posts .*{cause}"):
        run(lambda_aws, {"ingest_date": DATE, "run_id": "run-2"})

    after = lambda_aws.objects(lambda_aws.raw_bucket)
    assert {k: v for k, v in after.items() if "run-1" in k} == before
    assert sorted(k for k in after if "run-2" in k) == [key("terms", "run-2")]
    assert "posts" in lambda_aws.notifications()[-1]["Subject"]


def test_row_count_different_from_x_wp_total_fails(lambda_aws, wordpress_api):
    headers = (("X-WP-Total", "3"), ("X-WP-TotalPages", "1"))
    wordpress_api.add_fault("terms", Fault(status=200, body=b'[{"term_id": 1}]', headers=headers))
    put_endpoints(lambda_aws, {"terms": wordpress_api.url("terms", 100)})

    with pytest.raises(
        raw_ingest.RawIngestError, match=r"announced 3 rows \(X-WP-Total\) but its 1 pages held 1"
    ):
        run(lambda_aws, {"ingest_date": DATE, "run_id": "run-1"})


def test_missing_parameter_notifies_and_raises(lambda_aws):
    with pytest.raises(raw_ingest.RawIngestError, match=r"configuration: .*ParameterNotFound"):
        run(lambda_aws, {"ingest_date": DATE})
    [note] = lambda_aws.notifications()
    assert note["Subject"] == "raw_wordpress_api failed: configuration"


def test_bad_event_date_notifies_and_raises(lambda_aws, wordpress_api):
    put_endpoints(lambda_aws, wordpress_api.endpoints())
    with pytest.raises(
        raw_ingest.RawIngestError, match="ingest_date must be a real YYYY-MM-DD date, got '2025-13-01'"
    ):
        run(lambda_aws, {"ingest_date": "2025-13-01"})
    assert lambda_aws.notifications()[0]["Subject"] == "raw_wordpress_api failed: configuration"


def test_handler_reads_its_environment(lambda_aws, wordpress_api, monkeypatch):
    put_endpoints(lambda_aws, {"terms": wordpress_api.url("terms", 100)})
    monkeypatch.setenv("RAW_BUCKET", lambda_aws.raw_bucket)
    monkeypatch.setenv("ENDPOINTS_PARAMETER", PARAMETER)
    monkeypatch.setenv("FAILURE_TOPIC_ARN", lambda_aws.topic_arn)
    monkeypatch.setenv("SOURCE_NAME", "wordpress_api")
    monkeypatch.setenv(SOURCES_DIR_ENV, str(SOURCES))
    monkeypatch.setenv("DATASETS", "terms")

    summary = raw_ingest.handler({}, None)  # defaults: today UTC, a generated run id

    [stored] = lambda_aws.objects(lambda_aws.raw_bucket)
    assert stored == key("terms", summary["run_id"]).replace(DATE, summary["ingest_date"])
    assert summary["datasets"]["terms"]["rows"] == 18


def test_handler_without_required_environment_names_it(lambda_aws, monkeypatch):
    monkeypatch.setenv("SOURCE_NAME", "wordpress_api")
    monkeypatch.setenv(SOURCES_DIR_ENV, str(SOURCES))
    monkeypatch.delenv("RAW_BUCKET", raising=False)
    with pytest.raises(ValueError, match="environment variable RAW_BUCKET is required"):
        raw_ingest.handler({}, None)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not json", "is not valid JSON"),
        ("[]", "must be a JSON object of dataset -> URL"),
        ('{"Posts": "https://x/"}', "dataset name 'Posts' must match"),
        ('{"posts": "ftp://x/"}', r"URL of 'posts' \(ftp://x/\) must be https"),
    ],
)
def test_parse_endpoints_rejects_bad_values(value, message):
    with pytest.raises(ValueError, match=message):
        raw_http.parse_endpoints(value, "/p")


def test_page_url_keeps_other_parameters():
    assert raw.with_query("https://x/wp-json/a?per_page=100&page=1&b=2", "page", "3") == (
        "https://x/wp-json/a?per_page=100&b=2&page=3"
    )


def test_http_pool_retries_timeouts_and_5xx_with_backoff(lambda_aws):
    pool = build_http(settings(lambda_aws, max_retries=4, backoff_seconds=0.5, timeout_seconds=7))
    retry = pool.connection_pool_kw["retries"]
    assert isinstance(retry, urllib3.util.Retry)
    assert (retry.total, retry.read, retry.status, retry.backoff_factor) == (4, 4, 4, 0.5)
    assert set(retry.status_forcelist) == {429, 500, 502, 503, 504}
    assert pool.connection_pool_kw["timeout"].read_timeout == 7


def test_storage_error_is_reported_per_dataset(lambda_aws, wordpress_api):
    put_endpoints(lambda_aws, {"terms": wordpress_api.url("terms", 100)})

    with pytest.raises(
        raw_ingest.RawIngestError, match=r"terms: could not write s3://no-such-bucket/.*NoSuchBucket"
    ):
        run(lambda_aws, {"ingest_date": DATE, "run_id": "run-1"}, raw_bucket="no-such-bucket")
    assert "NoSuchBucket" in lambda_aws.notifications()[0]["Message"]
