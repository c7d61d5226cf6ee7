"""Raw Lambda fetches of any size: keyset paging, parts of bounded size, and a continuation when
the invocation runs out of time (in-process moto, the sample WordPress API on a real socket)."""

import json

import pytest
from fixtures_wordpress_raw import DATE, build_http, put_endpoints, settings
from raw_ingest import handler as raw_ingest
from wordpress_sample.server import Fault

from lakehouse_common import raw_http

PART = "wordpress_api/{dataset}/ingest_date=" + DATE + "/run-1.part-{part:05d}.json"


def invoke(lambda_aws, event, remaining=lambda: float("inf"), **overrides):
    config = settings(lambda_aws, **overrides)
    return raw_ingest.run(
        event,
        config,
        ssm=lambda_aws.ssm,
        s3=lambda_aws.s3,
        sns=lambda_aws.sns,
        http=build_http(config),
        remaining_seconds=remaining,
    )


def parts(lambda_aws, dataset):
    stored = lambda_aws.objects(lambda_aws.raw_bucket)
    keys = sorted(key for key in stored if f"/{dataset}/" in key)
    last = {
        key: lambda_aws.s3.head_object(Bucket=lambda_aws.raw_bucket, Key=key)["Metadata"].get("last-part")
        for key in keys
    }
    return keys, [row for key in keys for row in json.loads(stored[key])], last


def test_a_large_fetch_is_stored_in_parts_of_bounded_size(lambda_aws, wordpress_api, wordpress_small):
    put_endpoints(lambda_aws, {"statistics_pages": wordpress_api.url("statistics_pages", 100)})

    summary = invoke(lambda_aws, {"ingest_date": DATE, "run_id": "run-1"}, object_max_bytes=20_000)

    keys, rows, last = parts(lambda_aws, "statistics_pages")
    assert rows == sorted(wordpress_small["statistics_pages"], key=lambda row: row["page_id"])
    assert keys == [PART.format(dataset="statistics_pages", part=n) for n in range(len(keys))]
    assert len(keys) > 2 and list(last.values()) == ["false"] * (len(keys) - 1) + ["true"]
    body_sizes = [len(lambda_aws.objects(lambda_aws.raw_bucket)[key]) for key in keys]
    page = max(body_sizes) // 2  # a part stops at the first page that reaches the bound
    assert all(size < 20_000 + page for size in body_sizes)
    assert summary["datasets"]["statistics_pages"]["objects"] == len(keys)
    assert summary["continuation"] is None


def test_out_of_time_returns_a_continuation_that_resumes_without_repeats(
    lambda_aws, wordpress_api, wordpress_small
):
    put_endpoints(lambda_aws, wordpress_api.endpoints(per_page=100))
    clock = {"left": 3}

    def remaining():  # each page costs "a second"; the reserve is 45 s, so one page per invocation
        clock["left"] -= 1
        return 1000.0 if clock["left"] > 0 else 10.0

    event = {"ingest_date": DATE, "run_id": "run-1"}
    first = invoke(lambda_aws, event, remaining)
    invocations = 1
    summary = first
    while summary["continuation"] is not None:
        summary = invoke(
            lambda_aws, {**event, "continuation": json.loads(json.dumps(summary["continuation"]))}, remaining
        )
        invocations += 1
    assert first["continuation"] is not None and invocations > 2
    for dataset in ("posts", "statistics_pages", "term_taxonomy", "terms"):
        _keys, rows, last = parts(lambda_aws, dataset)
        column = raw_key(dataset)
        assert [row[column] for row in rows] == sorted(row[column] for row in wordpress_api.site[dataset])
        assert list(last.values())[-1] in ("true", None)
    assert sorted(summary["datasets"]) == sorted(wordpress_api.site)
    assert summary["datasets"]["statistics_pages"]["rows"] == len(wordpress_small["statistics_pages"])
    assert lambda_aws.notifications() == []


def raw_key(dataset):
    return {
        "posts": "ID",
        "statistics_pages": "page_id",
        "term_taxonomy": "term_taxonomy_id",
        "terms": "term_id",
    }[dataset]


def test_a_route_that_ignores_after_is_paged_by_number(lambda_aws, wordpress_api, wordpress_small):
    put_endpoints(lambda_aws, {"term_relationships": wordpress_api.url("term_relationships", 100)})

    invoke(lambda_aws, {"ingest_date": DATE, "run_id": "run-1"})

    requests = wordpress_api.requests_for("term_relationships")
    pages = -(-len(wordpress_api.site["term_relationships"]) // 100)
    assert requests[0].endswith("?per_page=100&after=0") and len(requests) == pages
    assert [r.rsplit("page=", 1)[-1] for r in requests[1:]] == [str(n) for n in range(2, pages + 1)]


def test_a_malformed_continuation_is_refused_and_notified(lambda_aws, wordpress_api):
    put_endpoints(lambda_aws, {"terms": wordpress_api.url("terms", 100)})
    event = {"ingest_date": DATE, "run_id": "run-1", "continuation": {"pending": {"posts": {}}}}
    try:
        invoke(lambda_aws, event)
    except raw_ingest.RawIngestError as error:
        assert "continuation" in str(error) and "posts" in str(error)
    else:
        raise AssertionError("a continuation naming an unknown dataset must fail")
    assert len(lambda_aws.notifications()) == 1
    assert lambda_aws.objects(lambda_aws.raw_bucket) == {}


@pytest.mark.parametrize(
    ("remaining", "expected"),
    [
        (float("inf"), (30.0, 3)),  # time enough: as configured
        (135.0, (30.0, 3)),  # 120 s of attempts + the 15 s margin
        (120.0, (26.25, 3)),  # Lambda's default 120 s from the start: shorter attempts, all four
        (40.0, (6.25, 3)),
        (17.0, (1.0, 1)),  # below a second per attempt: fewer attempts of a second
        (10.0, (1.0, 0)),  # at least one short attempt
    ],
)
def test_attempts_are_cut_to_end_before_the_invocation(remaining, expected):
    assert raw_http.attempt_budget(30.0, 3, remaining) == expected


def test_a_hanging_site_is_given_up_in_time_to_notify(lambda_aws, wordpress_api):
    put_endpoints(lambda_aws, {"terms": wordpress_api.url("terms", 100)})
    wordpress_api.add_fault("terms", Fault(status=200, body=b"[]", delay=3.0, times=None))

    # 19.5 s left: 4.5 s usable after the margin (backoff 0.01): attempts of 1 s, four of the six.
    with pytest.raises(
        raw_ingest.RawIngestError, match=r"terms: .*failed after retries: .*[Rr]ead timed out"
    ):
        invoke(
            lambda_aws,
            {"ingest_date": DATE, "run_id": "run-1"},
            lambda: 19.5,
            timeout_seconds=2.0,
            max_retries=5,
        )
    assert len(wordpress_api.requests_for("terms")) == 4
    assert len(lambda_aws.notifications()) == 1
