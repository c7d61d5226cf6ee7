"""Raw and bronze against a real local WordPress (Debian's packages + the lakehouse-export plugin)
with 5,000 posts and 1,000,000 WP Statistics rows: wall time, peak memory, requests of a full and
of an incremental (daily) run, and the modelled daily cost of both.

What is measured how:
- raw-incremental (the daily run) and bronze-incremental: measured whole against the real site.
- raw-full against the real site: the first full fetch as the workflow runs it, a chain of
  invocations, each in a process of its own that gets Lambda's time limit (the module's
  `lambdas.timeout`, default 120 s; `--lambda-timeout`) and returns a continuation for the next.
  Every invocation is measured (wall time, peak memory, requests). `--full-invocations N` stops
  after N and estimates the rest from the keyset page latency sampled across the whole key range.
- raw-full-memory and bronze-full: raw's chain and bronze's memory and time on the same 1,000,000
  rows, served by the fast sample server (tools/wordpress_sample/server.py: same contract and
  JSON, keyset paging included) in a process of its own, so only the functions' own work is
  measured; bronze loads the parts raw wrote.

    .venv/bin/python bench/wordpress_ingest.py [--posts 5000] [--statistics-rows 1000000]

The site is tools/wordpress_local (MariaDB socket-only, `php -S` with 4 workers); the bulk rows are
inserted with SQL (MariaDB's SEQUENCE engine), spread over two years ending on the run day, one
row per (uri, day) as WP Statistics stores them. Raw and bronze run in child processes of their
own (in-process moto for S3/SSM/SNS/Secrets Manager), each measured separately: wall time, peak
RSS of the process and its RSS before the function ran (imports, moto). Lambda bills the
configured memory, so the peak must stay under it (modules/medallion_pipeline: 512 MB default).
Cost: eu-west-1 arm64 list prices, November 2026, no free tier; duration measured here (this
2-core machine, the site on the same host: a real site over the internet adds latency per request).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tools"), str(REPO / "src"), str(REPO / "lambda_src")]

from wordpress_local import site as wordpress  # noqa: E402
from wordpress_sample.server import SAMPLE_CREDENTIALS  # noqa: E402

PRICES = {
    "lambda_gb_second_arm": 0.0000133334,
    "lambda_request": 0.20 / 1_000_000,
    "s3_put": 0.005 / 1000,
    "s3_get": 0.0004 / 1000,
    "s3_list": 0.005 / 1000,
    "secrets_api_call": 0.05 / 10_000,
}
LAMBDA_MEMORY_MB = 512  # medallion_pipeline's default lambdas.memory_size
LAMBDA_TIMEOUT = 120.0  # medallion_pipeline's default lambdas.timeout
LAMBDA_MAX_SECONDS = 900
DATE = dt.datetime.now(dt.timezone.utc).date()
BUCKETS = ("bench-raw", "bench-bronze")
SECRET = "bench/wordpress/credentials"
SOURCE = "wordpress_api"


def bulk_content(site: Any, posts: int, statistics_rows: int) -> None:
    """`posts` more published posts and `statistics_rows` more statistics rows, by SQL."""
    site.sql(
        "INSERT INTO wp_posts (post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt,"
        " post_status, comment_status, ping_status, post_password, post_name, to_ping, pinged, post_modified,"
        " post_modified_gmt, post_content_filtered, post_parent, guid, menu_order, post_type, post_mime_type,"
        " comment_count) SELECT 1, NOW() - INTERVAL seq HOUR, UTC_TIMESTAMP() - INTERVAL seq HOUR,"
        " REPEAT('<p>Bench body &amp; more &#8217;quoted&#8217; text.</p>', 40),"
        " CONCAT('Bench post ', seq, ' &amp; caf\u00e9 \u2019s'), '', 'publish', 'open', 'open', '',"
        " CONCAT('bench-post-', seq), '', '', NOW(), UTC_TIMESTAMP(), '', 0,"
        " CONCAT('http://bench/?p=', seq), 0,"
        f" 'post', '', 0 FROM seq_1_to_{posts}"
    )
    days = 730
    site.sql(
        "INSERT INTO wp_statistics_pages (uri, type, date, count, id)"
        f" SELECT CONCAT('/bench/', seq DIV {days}, '/'), 'post', CURDATE() - INTERVAL (seq MOD {days}) DAY,"
        f" 1 + (seq * 7919) MOD 90, seq DIV {days} FROM seq_1_to_{statistics_rows}"
    )


def sample_latency(site: Any, credentials: dict[str, str], samples: int = 8) -> dict[str, Any]:
    """Seconds per statistics_pages keyset page (per_page=100), sampled across the key range."""
    import base64  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    user = f"{credentials['username']}:{credentials['application_password']}"
    token = base64.b64encode(user.encode()).decode()

    def get(after: int) -> float:
        url = f"{site.url}/wp-json/lakehouse/v1/statistics_pages?per_page=100&after={after}"
        request = urllib.request.Request(url, headers={"Authorization": f"Basic {token}"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=300) as response:
            response.read()
        return time.perf_counter() - started

    low, high = (
        int(v) for v in site.sql("SELECT MIN(page_id), MAX(page_id) FROM wp_statistics_pages").split()
    )
    rows = int(site.sql("SELECT COUNT(*) FROM wp_statistics_pages").strip())
    chosen = sorted({low - 1 + round((high - low) * i / samples) for i in range(samples)})
    timings = [get(after) for after in chosen]
    return {
        "pages": -(-rows // 100),
        "sampled_after": chosen,
        "seconds": timings,
        "mean": sum(timings) / len(timings),
    }


def start_sample_server(rows: int) -> tuple[subprocess.Popen, dict[str, str]]:
    """tools/wordpress_sample/server.py with about `rows` statistics rows; (process, endpoints)."""
    port = wordpress.free_port()
    process = subprocess.Popen(
        [sys.executable, str(REPO / "tools" / "wordpress_sample" / "server.py"), str(port), str(rows)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


def child(stage: str, workdir: Path, config: dict[str, Any]) -> dict[str, Any]:
    """Run one stage in a fresh interpreter; its JSON report."""
    result = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            stage,
            "--workdir",
            str(workdir),
            "--config",
            json.dumps(config),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path[:3])},
    )
    if result.returncode:
        raise SystemExit(f"{stage} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run_child(stage: str, workdir: Path, config: dict[str, Any]) -> None:
    import boto3  # noqa: PLC0415
    from moto import mock_aws  # noqa: PLC0415

    for name in [n for n in os.environ if n.startswith("AWS_ENDPOINT_URL")] + ["AWS_CA_BUNDLE"]:
        os.environ.pop(name, None)
    os.environ.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="eu-west-1")
    with mock_aws():
        s3 = boto3.client("s3")
        for bucket in BUCKETS:
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        sns = boto3.client("sns")
        if stage.startswith("raw"):
            report = bench_raw(stage, workdir, config, s3, sns)
        else:
            report = bench_bronze(stage, workdir, config, s3, sns)
    print(json.dumps(report))


def bench_raw(stage: str, workdir: Path, config: dict[str, Any], s3: Any, sns: Any) -> dict[str, Any]:
    """One raw invocation as Lambda runs it: `config["timeout"]` seconds, the default reserve, the
    previous invocation's continuation (if any). Its objects are saved under workdir/<stage>/."""
    import boto3  # noqa: PLC0415
    from raw_ingest import handler as raw  # noqa: PLC0415

    from lakehouse_common import raw_http  # noqa: PLC0415
    from lakehouse_common.contract import SOURCES_DIR_ENV, load_contract  # noqa: PLC0415

    ssm, secrets = boto3.client("ssm"), boto3.client("secretsmanager")
    ssm.put_parameter(Name="/bench/endpoints", Value=json.dumps(config["endpoints"]), Type="String")
    secrets.create_secret(Name=SECRET, SecretString=json.dumps(config["credentials"]))
    incremental = stage == "raw-incremental"
    if incremental:  # an earlier run exists: the window applies
        s3.put_object(
            Bucket=BUCKETS[0], Key=f"{SOURCE}/statistics_pages/ingest_date=2000-01-01/x.json", Body=b"[]"
        )
    sources = {SOURCES_DIR_ENV: str(REPO / "sources")}
    settings = raw.Settings(
        load_contract(REPO / "sources" / SOURCE / "contract.json"), BUCKETS[0], tuple(config["endpoints"]),
        endpoints_parameter="/bench/endpoints", timeout_seconds=60.0, max_retries=3, backoff_seconds=0.5,
        credentials_secret=SECRET, incremental_datasets=("statistics_pages",) if incremental else (),
        object_max_bytes=int(config.get("object_max_bytes") or raw_http.OBJECT_MAX_BYTES),
        hooks=raw_http.load_raw_hooks(SOURCE, sources),
    )  # fmt: skip
    http = raw_http.build_http(settings.timeout_seconds, settings.max_retries, settings.backoff_seconds)
    event: dict[str, Any] = {"ingest_date": DATE.isoformat(), "run_id": stage}
    before = config.get("continuation") or {}
    if before:
        event["continuation"] = before
    baseline = rss_mb()
    started = time.perf_counter()
    deadline = started + float(config.get("timeout", LAMBDA_TIMEOUT))
    summary = raw.run(event, settings, ssm=ssm, s3=s3, sns=sns, http=http, secrets=secrets,
                      remaining_seconds=lambda: deadline - time.perf_counter())  # fmt: skip
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    puts = save_objects(s3, workdir / stage)
    after = summary.get("continuation") or {}
    # Requests of this invocation: pages of the datasets it finished or left pending, less the
    # pages earlier invocations had fetched of them.
    finished = [info for d, info in summary["datasets"].items() if d not in (before.get("stored") or {})]
    requests = sum(info["pages"] for info in finished)
    requests += sum(state["pages"] for state in (after.get("pending") or {}).values())
    requests -= sum(state["pages"] for state in (before.get("pending") or {}).values())
    return {
        "stage": stage,
        "seconds": seconds,
        "peak_rss_mb": peak,
        "baseline_rss_mb": baseline,
        "requests": requests,
        "rows": {d: info["rows"] for d, info in summary["datasets"].items()},
        "puts": puts,
        "continuation": summary.get("continuation"),
    }


def save_objects(s3: Any, into: Path) -> int:
    """Copy this process's raw objects (and their metadata) to `into`, for bronze's bench."""
    into.mkdir(parents=True, exist_ok=True)
    count = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKETS[0], Prefix=f"{SOURCE}/"):
        for item in page.get("Contents", []):
            if "ingest_date=2000-01-01" in item["Key"]:
                continue
            answer = s3.get_object(Bucket=BUCKETS[0], Key=item["Key"])
            name = item["Key"].replace("/", "~")
            (into / name).write_bytes(answer["Body"].read())
            (into / f"{name}.meta").write_text(json.dumps(answer.get("Metadata", {})))
            count += 1
    return count


def bench_bronze(stage: str, workdir: Path, config: dict[str, Any], s3: Any, sns: Any) -> dict[str, Any]:
    import awswrangler as wr  # noqa: PLC0415

    from lakehouse_common import bronze  # noqa: PLC0415
    from lakehouse_common.contract import load_contract  # noqa: PLC0415

    raw_stage = "raw-full-memory" if stage == "bronze-full" else "raw-incremental"
    datasets = set()
    for path in sorted((workdir / raw_stage).glob("*.json")):
        key = path.name.replace("~", "/")
        datasets.add(key.split("/")[1])
        metadata = json.loads(path.with_name(path.name + ".meta").read_text())
        s3.put_object(Bucket=BUCKETS[0], Key=key, Body=path.read_bytes(), Metadata=metadata)
    datasets = sorted(datasets)
    contract = load_contract(REPO / "sources" / SOURCE / "contract.json")
    settings = bronze.BronzeSettings(
        BUCKETS[0], BUCKETS[1], contract, tuple(datasets), None,
        incremental_datasets=("statistics_pages",) if "incremental" in stage else (),
    )  # fmt: skip
    baseline = rss_mb()
    started = time.perf_counter()
    summary = bronze.run({"ingest_date": DATE.isoformat()}, settings, wr=wr, s3=s3, sns=sns)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "stage": stage,
        "seconds": seconds,
        "peak_rss_mb": peak,
        "baseline_rss_mb": baseline,
        "rows": {d: info["rows"] for d, info in summary["datasets"].items()},
        "puts": sum(info["objects"] for info in summary["datasets"].values()),
        "gets": sum(info["raw_objects"] for info in summary["datasets"].values()),
    }


def cost(report: dict[str, Any]) -> float:
    gb_seconds = report["seconds"] * LAMBDA_MEMORY_MB / 1024
    s3 = report.get("puts", 0) * PRICES["s3_put"] + report.get("gets", 0) * PRICES["s3_get"]
    secrets = PRICES["secrets_api_call"] if report["stage"].startswith("raw") else 0.0
    invocations = report.get("invocations", 1)
    return (
        gb_seconds * PRICES["lambda_gb_second_arm"] + invocations * (PRICES["lambda_request"] + secrets) + s3
    )


def chain(
    stage: str, workdir: Path, config: dict[str, Any], limit: int | None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Raw invocations as the workflow makes them, each continuing the previous, until done or
    `limit` invocations -> (reports, the continuation left, None when done)."""
    reports: list[dict[str, Any]] = []
    continuation = None
    while limit is None or len(reports) < limit:
        report = child(stage, workdir, {**config, "continuation": continuation})
        reports.append(report)
        print(json.dumps({k: v for k, v in report.items() if k != "continuation"}), flush=True)
        continuation = report.pop("continuation")
        if continuation is None:
            break
    return reports, continuation


def pages_left(continuation: dict[str, Any]) -> int:
    """Pages the pending datasets still need, from the X-WP-Total each announced on its first page."""
    return sum(
        max(0, -(-int(state["total"]) // 100) - state["pages"])
        for state in continuation["pending"].values()
        if str(state.get("total") or "").isdigit()
    )


def total(stage: str, invocations: list[dict[str, Any]]) -> dict[str, Any]:
    """A chain as one row: summed time, requests and PUTs; the peak of its invocations."""
    return {
        "stage": stage,
        "invocations": len(invocations),
        "seconds": sum(r["seconds"] for r in invocations),
        "max_invocation_seconds": max(r["seconds"] for r in invocations),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in invocations),
        "baseline_rss_mb": max(r["baseline_rss_mb"] for r in invocations),
        "requests": sum(r["requests"] for r in invocations),
        "puts": sum(r["puts"] for r in invocations),
    }


def estimate_rest(full: dict[str, Any], left_over: dict[str, Any], latency: dict[str, Any]) -> dict[str, Any]:
    """A chain stopped early (--full-invocations), completed by estimate: the pages left at the
    sampled keyset latency, in invocations as long as the measured ones."""
    left = pages_left(left_over)
    extra = left * latency["mean"]
    per_call = full["seconds"] / full["invocations"]
    return {
        **full,
        "seconds": full["seconds"] + extra,
        "requests": full["requests"] + left,
        "invocations": full["invocations"] + int(-(-extra // per_call)),
        "estimated": True,
    }


def summarise(reports: list[dict[str, Any]], latency: dict[str, Any], timeout: float) -> None:
    """Print the table, the full vs incremental comparison and whether each fits Lambda."""
    by_stage = {report["stage"]: report for report in reports}
    print(
        f"\n{'stage':26s} {'calls':>5s} {'seconds':>9s} {'max/call':>9s} {'peak MB':>8s} {'base MB':>8s} "
        f"{'requests':>9s} {'$ per run':>10s}"
    )
    for r in reports:
        print(
            f"{r['stage']:26s} {r.get('invocations', 1):5d} {r['seconds']:9.1f} "
            f"{r.get('max_invocation_seconds', r['seconds']):9.1f} {r['peak_rss_mb']:8.0f} "
            f"{r['baseline_rss_mb']:8.0f} {r.get('requests', 0):9d} {cost(r):10.6f}"
        )
    full = by_stage["raw-full"]
    sampled = latency["seconds"]
    print(
        f"\nstatistics keyset page latency on the real site (after={latency['sampled_after']}): mean "
        f"{latency['mean']:.3f} s, min {min(sampled):.3f} s, max {max(sampled):.3f} s"
    )
    full_cost = cost(full) + cost(by_stage["bronze-full"])
    daily = cost(by_stage["raw-incremental"]) + cost(by_stage["bronze-incremental"])
    print(
        f"full run (raw + bronze):        ${full_cost:.6f} per run, {full['requests']} requests, "
        f"{full['invocations']} raw invocations"
    )
    daily_requests = by_stage["raw-incremental"]["requests"]
    print(f"incremental daily run:          ${daily:.6f} per day, {daily_requests} requests")
    ratio = full["requests"] / daily_requests
    print(f"ratio full / incremental:       {full_cost / daily:.1f}x cost, {ratio:.1f}x requests")
    for r in reports:
        longest = r.get("max_invocation_seconds", r["seconds"])
        limit = timeout if r["stage"].startswith("raw") else LAMBDA_MAX_SECONDS
        fits = r["peak_rss_mb"] < LAMBDA_MEMORY_MB and longest < limit
        print(
            f"{r['stage']:26s} fits Lambda at {LAMBDA_MEMORY_MB} MB / {limit:.0f} s per invocation: "
            f"{'yes' if fits else 'NO'} (peak {r['peak_rss_mb']:.0f} MB incl. moto, longest invocation "
            f"{longest:.0f} s)"
        )


def memory_only(args: argparse.Namespace) -> int:
    """The full fetch's memory: raw's chain and bronze on the sample server's rows only."""
    with tempfile.TemporaryDirectory(prefix="bench-wp-") as tmp:
        workdir = Path(tmp)
        server, endpoints = start_sample_server(args.statistics_rows)
        try:
            config = {
                "endpoints": endpoints,
                "credentials": {
                    "username": SAMPLE_CREDENTIALS[0],
                    "application_password": SAMPLE_CREDENTIALS[1],
                },
                "timeout": args.lambda_timeout,
                "object_max_bytes": args.object_max_bytes,
            }
            reports = [total("raw-full-memory", chain("raw-full-memory", workdir, config, None)[0])]
            reports.append(child("bronze-full", workdir, config))
        finally:
            server.terminate()
            server.wait()
    for r in reports:
        print(
            f"{r['stage']:18s} calls {r.get('invocations', 1)} seconds {r['seconds']:.1f} "
            f"peak {r['peak_rss_mb']:.0f} MB (before the function ran: {r['baseline_rss_mb']:.0f} MB) "
            f"objects {r['puts']}"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--statistics-rows", type=int, default=1_000_000)
    parser.add_argument("--lambda-timeout", type=float, default=LAMBDA_TIMEOUT)
    parser.add_argument(
        "--full-invocations", type=int, default=None, help="stop the real-site full chain after N"
    )
    parser.add_argument(
        "--object-max-bytes", type=int, default=None, help="raw part size (default: the function's)"
    )
    parser.add_argument(
        "--memory-only",
        action="store_true",
        help="only raw-full-memory and bronze-full, on the sample server",
    )
    parser.add_argument("--child")
    parser.add_argument("--workdir")
    parser.add_argument("--config")
    args = parser.parse_args()
    if args.child:
        run_child(args.child, Path(args.workdir), json.loads(args.config))
        return 0
    if args.memory_only:
        return memory_only(args)

    with tempfile.TemporaryDirectory(prefix="bench-wp-") as tmp:
        workdir = Path(tmp)
        site_dir = workdir / "site"
        started = time.perf_counter()
        site = wordpress.start(site_dir, wordpress.free_port())
        try:
            bulk_content(site, args.posts, args.statistics_rows)
            setup = time.perf_counter() - started
            counts = {
                table: int(site.sql(f"SELECT COUNT(*) FROM {table}").strip())
                for table in ("wp_posts", "wp_statistics_pages")
            }
            print(f"site {site.url}: {counts} (setup {setup:.0f} s)", flush=True)
            exporter = site.user("exporter")
            config = {
                "endpoints": {
                    d: f"{site.url}/wp-json/lakehouse/v1/{d}?per_page=100" for d in wordpress.DATASETS
                },
                "credentials": {
                    "username": exporter["login"],
                    "application_password": exporter["application_password"],
                },
                "timeout": args.lambda_timeout,
            }
            incremental, _ = chain("raw-incremental", workdir, config, None)
            latency = sample_latency(site, config["credentials"])
            print(json.dumps({"statistics_latency": latency}), flush=True)
            full_calls, left_over = chain("raw-full", workdir, config, args.full_invocations)
        finally:
            wordpress.stop(site_dir)
        full = total("raw-full", full_calls)
        if left_over is not None:
            full = estimate_rest(full, left_over, latency)
        server, endpoints = start_sample_server(args.statistics_rows)
        try:
            sample_config = {
                "endpoints": endpoints,
                "credentials": {
                    "username": SAMPLE_CREDENTIALS[0],
                    "application_password": SAMPLE_CREDENTIALS[1],
                },
                "timeout": args.lambda_timeout,
            }
            memory = total("raw-full-memory", chain("raw-full-memory", workdir, sample_config, None)[0])
            reports = [total("raw-incremental", incremental), full, memory]
            for stage in ("bronze-full", "bronze-incremental"):
                reports.append(child(stage, workdir, config))
                print(json.dumps(reports[-1]), flush=True)
        finally:
            server.terminate()
            server.wait()
    summarise(reports, latency, args.lambda_timeout)
    if full.get("estimated"):
        print("raw-full: stopped early (--full-invocations); the rest estimated from the keyset latency")
    return 0


if __name__ == "__main__":
    sys.exit(main())
