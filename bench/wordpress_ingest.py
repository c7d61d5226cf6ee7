"""Raw and bronze against a real local WordPress (Debian's packages + the lakehouse-export plugin)
with 5,000 posts and 1,000,000 WP Statistics rows: wall time, peak memory, requests of a full and
of an incremental (daily) run, and the modelled daily cost of both.

What is measured how:
- raw-incremental (the daily run) and bronze-incremental: measured whole against the real site.
- raw full against the real site: the request count is exact (X-WP-TotalPages); its duration is
  the daily run plus every further statistics page at the latency measured on pages sampled
  across the whole offset range (deep OFFSET pages cost MySQL more). Fetching 10,000 pages
  through PHP's built-in server takes hours on this shared machine, and what it shows (a full
  fetch does not fit one Lambda invocation) does not need all of them.
- raw-full-memory and bronze-full: raw's and bronze's memory and time on the same 1,000,000 rows,
  served by the fast sample server (tools/wordpress_sample/server.py: same contract and JSON) in a
  process of its own, so only the functions' own work is measured.

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
LAMBDA_MAX_SECONDS = 900
DATE = dt.datetime.now(dt.timezone.utc).date()
BUCKETS = ("bench-raw", "bench-bronze")
SECRET = "bench/wordpress/credentials"


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
    """Seconds per statistics_pages page (per_page=100), sampled across the offset range."""
    import base64  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    user = f"{credentials['username']}:{credentials['application_password']}"
    token = base64.b64encode(user.encode()).decode()

    def get(page: int) -> tuple[float, dict[str, str]]:
        url = f"{site.url}/wp-json/lakehouse/v1/statistics_pages?per_page=100&page={page}"
        request = urllib.request.Request(url, headers={"Authorization": f"Basic {token}"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=300) as response:
            response.read()
            return time.perf_counter() - started, dict(response.headers.items())

    _seconds, headers = get(1)
    pages = int(headers["X-WP-TotalPages"])
    chosen = sorted({max(1, round(pages * i / (samples - 1))) for i in range(samples)})
    timings = [get(page)[0] for page in chosen]
    return {"pages": pages, "sampled_pages": chosen, "seconds": timings, "mean": sum(timings) / len(timings)}


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
    import boto3  # noqa: PLC0415
    from raw_wordpress_api import handler as raw  # noqa: PLC0415

    ssm, secrets = boto3.client("ssm"), boto3.client("secretsmanager")
    ssm.put_parameter(Name="/bench/endpoints", Value=json.dumps(config["endpoints"]), Type="String")
    secrets.create_secret(Name=SECRET, SecretString=json.dumps(config["credentials"]))
    incremental = stage == "raw-incremental"
    if incremental:  # an earlier run exists: the window applies
        s3.put_object(
            Bucket=BUCKETS[0], Key="wordpress_api/statistics_pages/ingest_date=2000-01-01/x.json", Body=b"[]"
        )
    settings = raw.RawSettings(
        BUCKETS[0], "wordpress_api", "/bench/endpoints", None, 60.0, 3, 0.5,
        credentials_secret=SECRET, incremental_datasets=("statistics_pages",) if incremental else (),
    )  # fmt: skip
    http = raw.build_http(settings)
    baseline = rss_mb()
    started = time.perf_counter()
    summary = raw.run({"ingest_date": DATE.isoformat(), "run_id": stage}, settings,
                      ssm=ssm, s3=s3, sns=sns, http=http, secrets=secrets)  # fmt: skip
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for dataset, info in summary["datasets"].items():
        body = s3.get_object(Bucket=BUCKETS[0], Key=info["key"])["Body"].read()
        (workdir / f"{stage}-{dataset}.json").write_bytes(body)
    return {
        "stage": stage,
        "seconds": seconds,
        "peak_rss_mb": peak,
        "baseline_rss_mb": baseline,
        "requests": sum(info["pages"] for info in summary["datasets"].values()),
        "rows": {d: info["rows"] for d, info in summary["datasets"].items()},
        "bytes": sum(info["bytes"] for info in summary["datasets"].values()),
        "puts": len(summary["datasets"]),
    }


def bench_bronze(stage: str, workdir: Path, config: dict[str, Any], s3: Any, sns: Any) -> dict[str, Any]:
    import awswrangler as wr  # noqa: PLC0415
    from bronze_wordpress_api import handler as bronze  # noqa: PLC0415

    raw_stage = "raw-full-memory" if stage == "bronze-full" else "raw-incremental"
    datasets = []
    for path in sorted(workdir.glob(f"{raw_stage}-*.json")):
        dataset = path.stem[len(raw_stage) + 1 :]
        datasets.append(dataset)
        key = f"wordpress_api/{dataset}/ingest_date={DATE.isoformat()}/{raw_stage}.json"
        s3.put_object(Bucket=BUCKETS[0], Key=key, Body=path.read_bytes(), Metadata={"ingested-at": "x"})
    settings = bronze.BronzeSettings(
        BUCKETS[0], BUCKETS[1], "wordpress_api", tuple(datasets), None,
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
        "puts": len(summary["datasets"]),
        "gets": len(summary["datasets"]),
    }


def cost(report: dict[str, Any]) -> float:
    gb_seconds = report["seconds"] * LAMBDA_MEMORY_MB / 1024
    s3 = report.get("puts", 0) * PRICES["s3_put"] + report.get("gets", 0) * PRICES["s3_get"]
    secrets = PRICES["secrets_api_call"] if report["stage"].startswith("raw") else 0.0
    return gb_seconds * PRICES["lambda_gb_second_arm"] + PRICES["lambda_request"] + s3 + secrets


def summarise(
    reports: list[dict[str, Any]], by_stage: dict[str, Any], latency: dict[str, Any], full_requests: int
) -> None:
    """Print the table, the full vs incremental comparison and whether each fits Lambda."""
    print(
        f"\n{'stage':22s} {'seconds':>9s} {'peak MB':>8s} {'base MB':>8s} {'requests':>9s} {'$ per run':>10s}"
    )
    for report in reports:
        print(
            f"{report['stage']:22s} {report['seconds']:9.1f} {report['peak_rss_mb']:8.0f} "
            f"{report['baseline_rss_mb']:8.0f} {report.get('requests', 0):9d} {cost(report):10.6f}"
        )
    full = cost(by_stage["raw-full (estimated)"]) + cost(by_stage["bronze-full"])
    daily = cost(by_stage["raw-incremental"]) + cost(by_stage["bronze-incremental"])
    sampled = latency["seconds"]
    print(
        f"\nstatistics page latency on the real site (pages {latency['sampled_pages']}): mean "
        f"{latency['mean']:.3f} s, min {min(sampled):.3f} s, max {max(sampled):.3f} s"
    )
    print(f"full run (raw + bronze):        ${full:.6f} per run, {full_requests} requests")
    daily_requests = by_stage["raw-incremental"]["requests"]
    print(f"incremental daily run:          ${daily:.6f} per day, {daily_requests} requests")
    ratio = full_requests / daily_requests
    print(f"ratio full / incremental:       {full / daily:.1f}x cost, {ratio:.1f}x requests")
    for report in reports:
        fits = report["peak_rss_mb"] < LAMBDA_MEMORY_MB and report["seconds"] < LAMBDA_MAX_SECONDS
        print(
            f"{report['stage']:20s} fits Lambda at {LAMBDA_MEMORY_MB} MB / {LAMBDA_MAX_SECONDS} s max: "
            f"{'yes' if fits else 'NO'} (peak {report['peak_rss_mb']:.0f} MB incl. moto, "
            f"{report['seconds']:.0f} s)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--statistics-rows", type=int, default=1_000_000)
    parser.add_argument("--child")
    parser.add_argument("--workdir")
    parser.add_argument("--config")
    args = parser.parse_args()
    if args.child:
        run_child(args.child, Path(args.workdir), json.loads(args.config))
        return 0

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
            }
            reports = [child("raw-incremental", workdir, config)]
            print(json.dumps(reports[-1]), flush=True)
            latency = sample_latency(site, config["credentials"])
            print(json.dumps({"statistics_latency": latency}), flush=True)
        finally:
            wordpress.stop(site_dir)
        server, endpoints = start_sample_server(args.statistics_rows)
        try:
            sample_config = {
                "endpoints": endpoints,
                "credentials": {
                    "username": SAMPLE_CREDENTIALS[0],
                    "application_password": SAMPLE_CREDENTIALS[1],
                },
            }
            for stage in ("raw-full-memory", "bronze-full", "bronze-incremental"):
                reports.append(child(stage, workdir, sample_config if stage == "raw-full-memory" else config))
                print(json.dumps(reports[-1]), flush=True)
        finally:
            server.terminate()
            server.wait()

    by_stage = {report["stage"]: report for report in reports}
    incremental = by_stage["raw-incremental"]
    # Full run on the real site: the daily run's small datasets (full snapshots there too) plus
    # every statistics page at the sampled mean latency.
    window_pages = -(-incremental["rows"]["statistics_pages"] // 100)
    full_requests = incremental["requests"] - window_pages + latency["pages"]
    full_seconds = incremental["seconds"] + (latency["pages"] - window_pages) * latency["mean"]
    estimate = {
        "stage": "raw-full (estimated)",
        "seconds": full_seconds,
        "peak_rss_mb": by_stage["raw-full-memory"]["peak_rss_mb"],
        "baseline_rss_mb": by_stage["raw-full-memory"]["baseline_rss_mb"],
        "requests": full_requests,
        "puts": 5,
    }
    reports.insert(1, estimate)
    by_stage[estimate["stage"]] = estimate
    summarise(reports, by_stage, latency, full_requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
