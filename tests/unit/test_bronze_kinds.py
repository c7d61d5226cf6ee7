"""The generic bronze load checks every kind a contract declares, and the duplicate rule, for any
source (pure: no AWS), plus landing files in each format read from S3 (moto)."""

import decimal
import json

import awswrangler as wr
import pandas as pd
import pytest

from lakehouse_common import bronze
from lakehouse_common.contract import parse_contract

CONTRACT = parse_contract(
    {
        "source": "music",
        "datasets": {
            "plays": {
                "columns": [
                    {"name": "play_id", "kind": "int", "nullable": False},
                    {"name": "seconds", "kind": "float"},
                    {"name": "price", "kind": "decimal", "precision": 6, "scale": 2},
                    {"name": "skipped", "kind": "bool"},
                    {"name": "title", "kind": "html"},
                    {"name": "note", "kind": "text"},
                    {"name": "day", "kind": "date"},
                    {"name": "local", "kind": "datetime"},
                    {"name": "played_at", "kind": "timestamp_tz"},
                ],
                "keys": ["play_id"],
                "raw": {"kind": "landing", "format": "ndjson"},
            },
            "tracks": {
                "columns": [
                    {"name": "track_id", "kind": "int", "nullable": False},
                    {"name": "bpm", "kind": "float"},
                    {"name": "explicit", "kind": "bool"},
                    {"name": "modified_at", "kind": "timestamp_tz"},
                ],
                "keys": ["track_id"],
                "raw": {"kind": "landing", "format": "csv"},
            },
        },
    },
    "sources/music/contract.json",
)
PLAYS = CONTRACT.dataset("plays")
ROW = {
    "play_id": 1,
    "seconds": 201.5,
    "price": "1.25",
    "skipped": False,
    "title": "Tom &amp; Jerry",
    "note": "x",
    "day": "2026-11-17",
    "local": "2026-11-17 10:22:22",
    "played_at": "2026-11-17T10:22:22Z",
}
WHERE = "s3://raw/music/plays/ingest_date=2026-11-17/drop-1.ndjson"


def conform(rows, dataset=PLAYS, **kwargs):
    return bronze.conform(pd.DataFrame(rows), dataset, WHERE, **kwargs)


def test_every_kind_is_checked_and_typed():
    rows = [
        ROW,
        {
            **ROW,
            "play_id": 2,
            "seconds": 3,
            "price": 7,
            "skipped": True,
            "played_at": "2026-11-17T11:22:22+01:00",
        },
        {
            **ROW,
            "play_id": 3,
            "seconds": None,
            "price": None,
            "skipped": None,
            "played_at": "2026-11-17 10:22:22.123456789-0230",
        },
    ]
    frame = conform(rows)
    assert list(frame.columns) == list(PLAYS.column_names)
    assert {name: str(dtype) for name, dtype in frame.dtypes.items()} == {
        "play_id": "Int64",
        "seconds": "Float64",
        "price": "object",
        "skipped": "boolean",
        "title": "string",
        "note": "string",
        "day": "string",
        "local": "string",
        "played_at": "string",
    }
    assert frame["price"].tolist() == [decimal.Decimal("1.25"), decimal.Decimal("7.00"), None]
    assert frame["skipped"].tolist() == [False, True, pd.NA]
    assert frame["played_at"].tolist()[0] == "2026-11-17T10:22:22Z"  # kept as delivered


@pytest.mark.parametrize(
    ("column", "value", "shape"),
    [
        ("play_id", 1.5, "whole numbers"),
        ("seconds", "fast", "numbers"),
        ("seconds", True, "numbers"),
        ("price", "1.255", "decimals with at most 6 digits, 2 after the point"),
        ("price", 12345.0, "decimals with at most 6 digits, 2 after the point"),
        ("skipped", "yes", "true or false"),
        ("title", 7, "text"),
        ("day", "17/11/2026", "YYYY-MM-DD"),
        ("local", "2026-11-17T10:22:22", "YYYY-MM-DD HH:MM:SS"),
        ("played_at", "2026-11-17T10:22:22", "ISO-8601 timestamps with a zone"),
        ("played_at", "2026-11-31T10:22:22Z", "ISO-8601 timestamps with a zone"),
    ],
)
def test_a_bad_value_is_rejected_naming_object_row_and_field(column, value, shape):
    with pytest.raises(bronze.DatasetError) as caught:
        conform([ROW, {**ROW, "play_id": 2, column: value}])
    assert str(caught.value).startswith(f"{WHERE}: column {column} must hold {shape}")
    assert f"rows [1] hold [{value!r}]" in str(caught.value)


def test_exact_duplicates_are_dropped_and_logged(caplog):
    frame = conform([ROW, {**ROW, "play_id": 2}, ROW])
    assert frame["play_id"].tolist() == [1, 2]
    assert f"{WHERE}: dropped 1 exact duplicate row(s) (rows [2])" in caplog.text


def test_conflicting_duplicates_are_rejected_naming_the_key():
    with pytest.raises(
        bronze.DatasetError,
        match=r"2 rows share a key \['play_id'\] but differ; conflicting keys include \[\{\"play_id\": 1\}\]",
    ):
        conform([ROW, {**ROW, "note": "other"}])


def test_null_keys_are_rejected():
    with pytest.raises(bronze.DatasetError, match=r"key column\(s\) \['play_id'\] are empty in rows \[1\]"):
        conform([ROW, {**ROW, "play_id": None}])


# ---- landing deliveries on S3 -------------------------------------------------------------------
DATE = "2026-11-17"


def settings(lambda_aws):
    return bronze.BronzeSettings(
        raw_bucket=lambda_aws.raw_bucket,
        bronze_bucket=lambda_aws.bronze_bucket,
        contract=CONTRACT,
        datasets=("plays", "tracks"),
        failure_topic_arn=lambda_aws.topic_arn,
    )


def put(lambda_aws, dataset, name, body):
    lambda_aws.s3.put_object(
        Bucket=lambda_aws.raw_bucket, Key=f"music/{dataset}/ingest_date={DATE}/{name}", Body=body.encode()
    )


def test_landing_files_of_the_day_load_by_the_contracts_format(lambda_aws):
    # Listening events delivered twice (the second drop repeats a row), and a CSV library export.
    put(
        lambda_aws,
        "plays",
        "run-a.drop-1.ndjson",
        "\n".join(json.dumps(row) for row in [ROW, {**ROW, "play_id": 2}]),
    )
    put(lambda_aws, "plays", "run-b.drop-2.ndjson", json.dumps({**ROW, "play_id": 2}) + "\n")
    put(
        lambda_aws,
        "tracks",
        "run-a.library.csv",
        "track_id,bpm,explicit,modified_at\n1,120.5,true,2026-11-17T08:00:00Z\n2,,0,2026-11-17T09:00:00+02:00\n",
    )

    summary = bronze.run(
        {"ingest_date": DATE}, settings(lambda_aws), wr=wr, s3=lambda_aws.s3, sns=lambda_aws.sns
    )

    assert summary["datasets"]["plays"]["rows"] == 2 and summary["datasets"]["plays"]["raw_objects"] == 2
    tracks = wr.s3.read_parquet(
        f"s3://{lambda_aws.bronze_bucket}/music/tracks/ingest_date={DATE}/tracks.parquet"
    )
    assert {
        name: [None if pd.isna(v) else v for v in values] for name, values in tracks.to_dict("list").items()
    } == {
        "track_id": [1, 2],
        "bpm": [120.5, None],
        "explicit": [True, False],
        "modified_at": ["2026-11-17T08:00:00Z", "2026-11-17T09:00:00+02:00"],
    }
    schema, _ = wr.s3.read_parquet_metadata(
        f"s3://{lambda_aws.bronze_bucket}/music/plays/ingest_date={DATE}/plays.parquet"
    )
    assert (
        schema["price"] == "decimal(6,2)" and schema["skipped"] == "boolean" and schema["seconds"] == "double"
    )


def test_a_bad_landing_file_fails_once_and_keeps_the_previous_partition(lambda_aws):
    put(lambda_aws, "plays", "run-a.drop-1.ndjson", json.dumps(ROW) + "\n")
    put(
        lambda_aws,
        "tracks",
        "run-a.library.csv",
        "track_id,bpm,explicit,modified_at\n1,fast,true,2026-11-17T08:00:00Z\n",
    )
    with pytest.raises(
        bronze.BronzeLoadError,
        match=r"1 of 2 datasets failed: tracks: .*run-a.library.csv: column bpm must hold numbers; "
        r"rows \[0\] hold \['fast'\]",
    ):
        bronze.run({"ingest_date": DATE}, settings(lambda_aws), wr=wr, s3=lambda_aws.s3, sns=lambda_aws.sns)
    notes = lambda_aws.notifications()
    assert len(notes) == 1 and notes[0]["Subject"] == "bronze_music failed: tracks"
