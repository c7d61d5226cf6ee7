"""Raw Lambda: credentials from Secrets Manager (moto), transport rules, clear errors, incremental
statistics. The sample API on a real socket checks HTTP Basic auth as the plugin's site does."""

import json

import boto3
import pytest
from fixtures_wordpress_raw import DATE, PARAMETER, SOURCES, build_http, put_endpoints, settings
from raw_ingest import handler as raw_ingest
from wordpress_sample.server import Fault, WordPressApi

from lakehouse_common import raw, raw_http
from lakehouse_common.contract import SOURCES_DIR_ENV

USER, PASSWORD = "lakehouse", "abcd EFGH 1234 ijkl MNOP 5678"
SECRET = "lake-test/wordpress/credentials"


@pytest.fixture
def secured_api(wordpress_small):
    with WordPressApi(wordpress_small, credentials=(USER, PASSWORD)) as api:
        yield api


@pytest.fixture
def secrets(lambda_aws):
    client = boto3.client("secretsmanager", region_name="eu-west-1")
    client.create_secret(Name=SECRET)  # as Terraform creates it: no value yet
    return client


def store(secrets, value):
    secrets.put_secret_value(
        SecretId=SECRET, SecretString=value if isinstance(value, str) else json.dumps(value)
    )


def run(lambda_aws, secrets, event=None, **overrides):
    config = settings(lambda_aws, credentials_secret=SECRET, **overrides)
    return raw_ingest.run(
        event or {"ingest_date": DATE, "run_id": "run-1"},
        config,
        ssm=lambda_aws.ssm,
        s3=lambda_aws.s3,
        sns=lambda_aws.sns,
        http=build_http(config),
        secrets=secrets,
    )


def everything_said(lambda_aws, error, caplog):
    """Every text a reader could see: the raised error, log lines, notifications."""
    notes = " ".join(n["Subject"] + n["Message"] for n in lambda_aws.notifications())
    return f"{error} {caplog.text} {notes}"


def test_sends_basic_auth_from_the_secret(lambda_aws, secrets, secured_api, wordpress_small):
    store(secrets, {"username": USER, "application_password": PASSWORD})
    put_endpoints(lambda_aws, {"terms": secured_api.url("terms", 100)})

    summary = run(lambda_aws, secrets)

    assert summary["datasets"]["terms"]["rows"] == len(wordpress_small["terms"])


def test_secret_is_read_on_every_invocation(lambda_aws, secrets, secured_api):
    store(secrets, {"username": USER, "application_password": "old password"})
    put_endpoints(lambda_aws, {"terms": secured_api.url("terms", 100)})
    with pytest.raises(
        raw_ingest.RawIngestError, match=r"credentials rejected by http://127.0.0.1:\d+ \(401\)"
    ):
        run(lambda_aws, secrets)
    store(secrets, {"username": USER, "application_password": PASSWORD})  # rotated, no redeploy
    assert run(lambda_aws, secrets, {"ingest_date": DATE, "run_id": "run-2"})["failed"] == {}


def test_no_credentials_configured_names_it(lambda_aws, secured_api):
    put_endpoints(lambda_aws, {"terms": secured_api.url("terms", 100)})
    config = settings(lambda_aws)
    with pytest.raises(
        raw_ingest.RawIngestError, match=r"credentials required \(none configured\) by http://127"
    ):
        raw_ingest.run(
            {"ingest_date": DATE, "run_id": "r"},
            config,
            ssm=lambda_aws.ssm,
            s3=lambda_aws.s3,
            sns=lambda_aws.sns,
            http=build_http(config),
        )


def test_403_names_the_capability(lambda_aws, secrets, secured_api, caplog):
    store(secrets, {"username": USER, "application_password": PASSWORD})
    body = b'{"code":"rest_forbidden","message":"Sorry","data":{"status":403}}'
    secured_api.add_fault("terms", Fault(status=403, body=body))
    put_endpoints(lambda_aws, {"terms": secured_api.url("terms", 100)})
    with pytest.raises(raw_ingest.RawIngestError) as error:
        run(lambda_aws, secrets)
    assert "user lacks the lakehouse_export capability on http://127.0.0.1:" in str(error.value)
    assert len(secured_api.requests_for("terms")) == 1  # not retried
    assert PASSWORD not in everything_said(lambda_aws, error.value, caplog)
    assert lambda_aws.objects(lambda_aws.raw_bucket) == {}


@pytest.mark.parametrize(
    "case",
    [
        (None, "has no value yet"),
        ("", "is empty"),
        ("   ", "is empty"),
        ("not json", "is not JSON"),
        ({"username": USER}, r"lacks non-empty \['application_password'\]"),
        ({"username": "", "application_password": PASSWORD}, r"lacks non-empty \['username'\]"),
    ],
)
def test_bad_secret_is_a_configuration_error_naming_it(lambda_aws, secrets, secured_api, case, caplog):
    value, message = case
    if value is not None:
        if value in ("", "   "):
            # Secrets Manager refuses an empty SecretString; a blank one is the closest a user gets.
            value = " "
        store(secrets, value)
    put_endpoints(lambda_aws, {"terms": secured_api.url("terms", 100)})
    with pytest.raises(
        raw_ingest.RawIngestError, match=f"configuration: secret {SECRET} .*{message}"
    ) as error:
        run(lambda_aws, secrets)
    assert secured_api.requests_for("terms") == []
    notes = lambda_aws.notifications()
    assert len(notes) == 1 and SECRET in notes[0]["Message"]
    assert PASSWORD not in everything_said(lambda_aws, error.value, caplog)


def test_missing_secret(lambda_aws, secured_api):
    client = boto3.client("secretsmanager", region_name="eu-west-1")
    put_endpoints(lambda_aws, {"terms": secured_api.url("terms", 100)})
    with pytest.raises(raw_ingest.RawIngestError, match=f"secret {SECRET} does not exist"):
        run(lambda_aws, client)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://blog.example.com/wp-json/lakehouse/v1/posts", "must be https: plain http would send"),
        ("http://10.0.0.5/wp-json/lakehouse/v1/posts", "must be https"),
        (
            "https://lakehouse:s3cr3t-pw@blog.example.com/wp-json/lakehouse/v1/posts",
            "must not carry credentials",
        ),
    ],
)
def test_transport_rules_and_no_userinfo_anywhere(lambda_aws, secrets, url, message, caplog):
    store(secrets, {"username": USER, "application_password": PASSWORD})
    put_endpoints(lambda_aws, {"posts": url})
    with pytest.raises(raw_ingest.RawIngestError, match=message) as error:
        run(lambda_aws, secrets)
    said = everything_said(lambda_aws, error.value, caplog)
    assert "s3cr3t-pw" not in said and "lakehouse:" not in said and PASSWORD not in said


def test_localhost_http_allowed_https_anywhere():
    for url in ("http://127.0.0.1:8080/x", "http://localhost/x", "https://blog.example.com/x"):
        assert raw_http.transport_problem(url) is None
    # Messages name a URL without userinfo and without its query (tokens travel there).
    assert raw.redact("https://u:p@h:1/x?y=1") == "https://h:1/x?..."
    assert raw_http.site_of("https://u:p@h:1/x?y=1") == "https://h:1"
    assert "pw" not in repr(raw_http.Credentials("u", "pw"))


def earlier_raw_run(lambda_aws, dataset="statistics_pages"):
    key = f"wordpress_api/{dataset}/ingest_date=2025-10-30/earlier.json"
    lambda_aws.s3.put_object(Bucket=lambda_aws.raw_bucket, Key=key, Body=b"[]")
    return key


def test_first_incremental_run_is_full(lambda_aws, secrets, secured_api, wordpress_small):
    store(secrets, {"username": USER, "application_password": PASSWORD})
    put_endpoints(lambda_aws, {"statistics_pages": secured_api.url("statistics_pages", 100)})

    summary = run(lambda_aws, secrets, incremental_datasets=("statistics_pages",))

    assert summary["datasets"]["statistics_pages"]["rows"] == len(wordpress_small["statistics_pages"])
    assert summary["datasets"]["statistics_pages"]["from"] is None
    assert not any("from=" in path for path in secured_api.requests_for("statistics_pages"))


def test_incremental_fetches_from_ingest_date_minus_lookback(
    lambda_aws, secrets, secured_api, wordpress_small
):
    store(secrets, {"username": USER, "application_password": PASSWORD})
    put_endpoints(lambda_aws, {"statistics_pages": secured_api.url("statistics_pages", 100)})
    earlier = earlier_raw_run(lambda_aws)

    summary = run(lambda_aws, secrets, incremental_datasets=("statistics_pages",), lookback_days=2)

    expected = [row for row in wordpress_small["statistics_pages"] if row["date"] >= "2025-10-29"]
    assert 0 < len(expected) < len(wordpress_small["statistics_pages"])
    stored = lambda_aws.objects(lambda_aws.raw_bucket)
    del stored[earlier]
    assert json.loads(next(iter(stored.values()))) == expected
    assert summary["datasets"]["statistics_pages"]["from"] == "2025-10-29"
    assert all("from=2025-10-29" in path for path in secured_api.requests_for("statistics_pages"))


def test_empty_window_is_stored_as_an_empty_array(lambda_aws, secrets, secured_api):
    store(secrets, {"username": USER, "application_password": PASSWORD})
    put_endpoints(lambda_aws, {"statistics_pages": secured_api.url("statistics_pages", 100)})
    earlier_raw_run(lambda_aws)
    # A year after the sample's last day: no statistics rows in the window.
    event = {"ingest_date": "2026-11-01", "run_id": "quiet"}
    summary = run(lambda_aws, secrets, event, incremental_datasets=("statistics_pages",))
    assert summary["datasets"]["statistics_pages"]["rows"] == 0
    key = summary["datasets"]["statistics_pages"]["key"]
    assert json.loads(lambda_aws.s3.get_object(Bucket=lambda_aws.raw_bucket, Key=key)["Body"].read()) == []


def test_empty_full_snapshot_is_still_an_error(lambda_aws, secrets, secured_api):
    store(secrets, {"username": USER, "application_password": PASSWORD})
    secured_api.add_fault("terms", Fault(status=200, body=b"[]"))
    put_endpoints(lambda_aws, {"terms": secured_api.url("terms", 100)})
    with pytest.raises(raw_ingest.RawIngestError, match="returned an empty array"):
        run(lambda_aws, secrets, incremental_datasets=("statistics_pages",))


def test_backfill_from_the_event(lambda_aws, secrets, secured_api, wordpress_small):
    store(secrets, {"username": USER, "application_password": PASSWORD})
    put_endpoints(lambda_aws, {"statistics_pages": secured_api.url("statistics_pages", 100)})
    event = {"ingest_date": DATE, "run_id": "backfill", "from": "2025-10-01"}

    summary = run(lambda_aws, secrets, event, incremental_datasets=("statistics_pages",))

    expected = sum(1 for row in wordpress_small["statistics_pages"] if row["date"] >= "2025-10-01")
    assert summary["datasets"]["statistics_pages"]["rows"] == expected


def test_backfill_from_the_workflow_input(lambda_aws, secrets, secured_api, wordpress_small):
    store(secrets, {"username": USER, "application_password": PASSWORD})
    put_endpoints(lambda_aws, {"statistics_pages": secured_api.url("statistics_pages", 100)})
    event = {"ingest_date": DATE, "run_id": "exec", "input": {"from": "2025-10-15", "crawl": {}}}

    summary = run(lambda_aws, secrets, event, incremental_datasets=("statistics_pages",))

    assert summary["datasets"]["statistics_pages"]["from"] == "2025-10-15"
    expected = sum(1 for row in wordpress_small["statistics_pages"] if row["date"] >= "2025-10-15")
    assert summary["datasets"]["statistics_pages"]["rows"] == expected


@pytest.mark.parametrize("bad", ["2025-13-01", "yesterday", "2025-11-05"])
def test_bad_from_is_a_configuration_error(lambda_aws, secrets, secured_api, bad):
    store(secrets, {"username": USER, "application_password": PASSWORD})
    put_endpoints(lambda_aws, {"statistics_pages": secured_api.url("statistics_pages", 100)})
    with pytest.raises(raw_ingest.RawIngestError, match="configuration: event field 'from'"):
        run(lambda_aws, secrets, {"ingest_date": DATE, "run_id": "r", "from": bad})


def test_rows_added_while_paging_fail_the_dataset(lambda_aws, secrets, secured_api, wordpress_small):
    store(secrets, {"username": USER, "application_password": PASSWORD})
    put_endpoints(lambda_aws, {"posts": secured_api.url("posts", 10)})
    rows = wordpress_small["posts"]
    page2 = json.dumps(rows[10:20]).encode()
    # Page 2 answers as if a post had been published after page 1 was read.
    headers = (("X-WP-Total", str(len(rows) + 1)), ("X-WP-TotalPages", str(-(-(len(rows) + 1) // 10))))
    secured_api.add_fault(
        "posts",
        Fault(
            status=200,
            body=json.dumps(rows[:10]).encode(),
            headers=(("X-WP-Total", str(len(rows))), ("X-WP-TotalPages", str(-(-len(rows) // 10)))),
        ),
    )
    secured_api.add_fault("posts", Fault(status=200, body=page2, headers=headers))
    with pytest.raises(
        raw_ingest.RawIngestError,
        match=r"changed while paging: X-WP-Total was \d+ on page 1 and \d+ on page 2",
    ):
        run(lambda_aws, secrets)
    assert lambda_aws.objects(lambda_aws.raw_bucket) == {}


def test_no_wp_statistics_is_named(lambda_aws, secrets, secured_api):
    store(secrets, {"username": USER, "application_password": PASSWORD})
    body = json.dumps(
        {"code": "lakehouse_statistics_unavailable", "message": "WP Statistics is not installed on this site"}
    ).encode()
    secured_api.add_fault("statistics_pages", Fault(status=501, body=body))
    put_endpoints(lambda_aws, {"statistics_pages": secured_api.url("statistics_pages", 100)})
    with pytest.raises(
        raw_ingest.RawIngestError, match=r"has no WP Statistics \(501\): WP Statistics is not installed"
    ):
        run(lambda_aws, secrets)
    assert len(secured_api.requests_for("statistics_pages")) == 1


def test_handler_reads_the_new_environment():
    env = {
        "SOURCE_NAME": "wordpress_api",
        SOURCES_DIR_ENV: str(SOURCES),
        "RAW_BUCKET": "b",
        "ENDPOINTS_PARAMETER": PARAMETER,
        "CREDENTIALS_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:111111111111:secret:x",
        "INCREMENTAL_DATASETS": "statistics_pages",
        "LOOKBACK_DAYS": "3",
    }
    loaded = raw_ingest.load_settings(env)
    assert loaded.credentials_secret.endswith(":secret:x")
    assert loaded.incremental_datasets == ("statistics_pages",)
    assert loaded.lookback_days == 3
    # The source's hooks come with it: WordPress's secret holds an application password.
    assert loaded.hooks.credential_fields == ("username", "application_password")
    assert loaded.stage == "raw_wordpress_api"
    minimal = {"SOURCE_NAME": "wordpress_api", SOURCES_DIR_ENV: str(SOURCES), "RAW_BUCKET": "b"}
    assert raw_ingest.load_settings({**minimal, "ENDPOINTS_PARAMETER": "p"}).incremental_datasets == ()
