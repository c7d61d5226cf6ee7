"""The generic raw engine: each pagination against a real local HTTP server, and landing drops in
each format copied into raw (moto) and loaded by the generic bronze."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import awswrangler as wr
import pytest
import urllib3

from lakehouse_common import bronze, raw, raw_http
from lakehouse_common.contract import parse_contract

ROWS = [{"id": number, "name": f"row {number}"} for number in range(1, 8)]
PER_PAGE = 3


class _Api(BaseHTTPRequestHandler):
    """/none: one array. /link: Link rel=next. /body: {"items", "next"}. /cursor: {"data", "meta"}.
    /away: a next link to another host."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        start = int(query.get("offset") or query.get("cursor") or 0)
        chunk = ROWS[start : start + PER_PAGE]
        more = start + PER_PAGE < len(ROWS)
        headers = {}
        if parts.path == "/none":
            body = ROWS
        elif parts.path == "/link":
            body = chunk
            if more:
                headers["Link"] = f'</link?offset={start + PER_PAGE}&token=t>; rel="next"'
        elif parts.path == "/body":
            body = {"items": chunk, "next": f"/body?offset={start + PER_PAGE}" if more else None}
        elif parts.path == "/cursor":
            body = {"data": chunk, "meta": {"next_cursor": str(start + PER_PAGE) if more else ""}}
        elif parts.path == "/loop":
            body, headers["Link"] = chunk, '</loop?offset=0>; rel="next"'
        elif parts.path == "/forbidden":
            self.send_error(403)
            return
        elif parts.path == "/away":
            body, headers["Link"] = chunk, '<http://elsewhere.example/away?offset=3>; rel="next"'
        else:
            self.send_error(404)
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture(scope="module")
def api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def get():
    return raw_http.urllib3_get(urllib3.PoolManager(retries=False, timeout=5.0))


@pytest.mark.parametrize(
    ("path", "mode", "options", "pages"),
    [
        ("/none", "none", {}, 1),
        ("/link", "next_link", {}, 3),
        ("/body", "next_link", {"items": "items", "next_field": "next"}, 3),
        ("/cursor", "cursor", {"cursor_param": "cursor", "cursor_field": "meta.next_cursor"}, 3),
    ],
    ids=["none", "next_link-header", "next_link-body-field", "cursor"],
)
def test_each_pagination_fetches_every_row_once(api, get, path, mode, options, pages):  # noqa: PLR0917
    rows, fetched = raw_http.fetch(get, f"{api}{path}", mode, options)
    assert rows == ROWS
    assert fetched == pages


def test_wordpress_pagination_against_the_sample_plugin(get, wordpress_api):
    endpoints = wordpress_api.endpoints(per_page=10)
    for dataset, key in (("posts", "ID"), ("terms", "term_id")):
        rows, pages = raw_http.fetch(get, endpoints[dataset], "wordpress", {})
        assert sorted(rows, key=lambda row: row[key]) == sorted(
            wordpress_api.site[dataset], key=lambda row: row[key]
        )
        assert len(rows) == len(wordpress_api.site[dataset]) > 10 and pages == -(-len(rows) // 10)


def test_a_next_link_to_another_host_is_not_followed(api, get):
    with pytest.raises(
        raw.EndpointError, match=r"next page http://elsewhere.example/away\?\.\.\. is on another host"
    ):
        raw_http.fetch(get, f"{api}/away", "next_link", {})


def test_cursor_pagination_needs_its_options():
    with pytest.raises(
        raw.EndpointError, match=r"pagination cursor needs raw\.options cursor_param, cursor_field"
    ):
        raw.pagination("cursor", {})


def test_an_http_error_names_the_page_without_its_query(api, get):
    with pytest.raises(raw.EndpointError, match=r"/missing\?\.\.\.\) page 1 answered HTTP 404"):
        raw_http.fetch(get, f"{api}/missing?token=secret", "none", {})


def test_a_pagination_that_repeats_a_page_is_stopped(api, get):
    with pytest.raises(
        raw.EndpointError, match=r"page 3: the pagination repeats a page; stopped after 2 pages"
    ):
        raw_http.fetch(get, f"{api}/loop", "next_link", {})


@pytest.mark.parametrize(
    ("path", "mode", "options"),
    [
        ("/link?token=t", "next_link", {}),
        ("/body?token=t", "next_link", {"items": "items", "next_field": "next"}),
        ("/cursor?token=t", "cursor", {"cursor_param": "cursor", "cursor_field": "meta.next_cursor"}),
    ],
    ids=["next_link-header", "next_link-body-field", "cursor"],
)
def test_out_of_time_stores_what_it_has_and_resumes_from_a_continuation(api, get, path, mode, options):
    """One page per invocation: each stops with a continuation (JSON, without the configured
    URL's query, where tokens travel) from which the next resumes; no row twice, none missing."""
    endpoint = raw_http.Endpoint("items", f"{api}{path}", mode, options)
    progress = raw_http.Progress(query=raw.start_query(mode))
    rows, invocations, last = [], 0, False
    while not last:
        progress = raw_http.Progress.from_json(json.loads(json.dumps(progress.as_json())), "test")
        assert "token" not in json.dumps(progress.as_json())
        for chunk in raw_http.fetch_chunks(
            get, endpoint, progress, max_bytes=1 << 20, out_of_time=lambda: True
        ):
            rows += json.loads(chunk.body())
            last = chunk.last
        invocations += 1
    assert rows == ROWS and invocations == 3 == progress.pages


def test_a_refusal_without_source_hooks_is_named_generically(api, get):
    with pytest.raises(
        raw.EndpointError, match=r"endpoint dataset \(.*/forbidden\) page 1 answered HTTP 403"
    ):
        raw_http.fetch(get, f"{api}/forbidden", "none", {})


# ---- landing drops -------------------------------------------------------------------------------
CONTRACT = parse_contract(
    {
        "source": "shop",
        "datasets": {
            fmt: {
                "columns": [
                    {"name": "id", "kind": "int", "nullable": False},
                    {"name": "name", "kind": "text"},
                ],
                "keys": ["id"],
                "raw": {"kind": "landing", "format": fmt},
            }
            for fmt in ("csv", "json", "ndjson")
        },
    },
    "sources/shop/contract.json",
)
BODIES = {
    "csv": "id,name\n1,a\n2,b\n",
    "json": json.dumps([{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]),
    "ndjson": '{"id": 1, "name": "a"}\n{"id": 2, "name": "b"}\n',
}
LANDING = "lake-test-landing"
DATE = "2026-11-17"


def copy(lambda_aws, dataset, run_id, date=DATE):
    return raw.copy_landing(
        lambda_aws.s3,
        landing_bucket=LANDING,
        landing_prefix="drops/",
        raw_bucket=lambda_aws.raw_bucket,
        dataset=CONTRACT.dataset(dataset),
        source="shop",
        ingest_date=date,
        run_id=run_id,
    )


def test_each_landing_format_is_copied_once_and_loaded_by_bronze(lambda_aws):
    lambda_aws.s3.create_bucket(Bucket=LANDING, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    for fmt, body in BODIES.items():
        lambda_aws.s3.put_object(Bucket=LANDING, Key=f"drops/shop/{fmt}/export 1.{fmt}", Body=body.encode())
    lambda_aws.s3.put_object(Bucket=LANDING, Key="drops/shop/csv/README.txt", Body=b"not data")

    first = {fmt: copy(lambda_aws, fmt, "exec-1") for fmt in BODIES}
    again = {fmt: copy(lambda_aws, fmt, "exec-2", "2026-11-18") for fmt in BODIES}

    assert {fmt: summary["copied"] for fmt, summary in first.items()} == {"csv": 1, "json": 1, "ndjson": 1}
    assert first["csv"]["other_files"] == 1
    assert {fmt: summary["copied"] for fmt, summary in again.items()} == {"csv": 0, "json": 0, "ndjson": 0}
    key = first["csv"]["keys"][0]
    assert key.startswith(f"shop/csv/ingest_date={DATE}/exec-1.") and key.endswith(".export_1.csv")
    head = lambda_aws.s3.head_object(Bucket=lambda_aws.raw_bucket, Key=key)
    assert (
        head["Metadata"]["landing-key"] == "drops/shop/csv/export 1.csv" and head["Metadata"]["ingested-at"]
    )
    assert lambda_aws.objects(lambda_aws.raw_bucket, key)[key] == BODIES["csv"].encode()

    settings = bronze.BronzeSettings(
        lambda_aws.raw_bucket, lambda_aws.bronze_bucket, CONTRACT, ("csv", "json", "ndjson"), None
    )
    summary = bronze.run({"ingest_date": DATE}, settings, wr=wr, s3=lambda_aws.s3, sns=lambda_aws.sns)
    for fmt in BODIES:
        assert summary["datasets"][fmt]["rows"] == 2
        frame = wr.s3.read_parquet(
            f"s3://{lambda_aws.bronze_bucket}/shop/{fmt}/ingest_date={DATE}/{fmt}.parquet"
        )
        assert frame.to_dict("records") == [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]

    # The same file dropped again with new content is a new delivery.
    lambda_aws.s3.put_object(Bucket=LANDING, Key="drops/shop/csv/export 1.csv", Body=b"id,name\n3,c\n")
    assert copy(lambda_aws, "csv", "exec-3", "2026-11-18")["copied"] == 1
