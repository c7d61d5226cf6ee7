"""The music-library sample generator: the small samples the suites count on stay byte for byte
the same, dates stay in the past, and the volume log (generate_plays) has the small log's shapes
and passes the bronze and silver engines."""

import datetime as dt
import hashlib
import io
import logging

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lakehouse_common import bronze, silver_transform
from lakehouse_common.contract import load_contract
from lakehouse_common.silver_job import bronze_types_mapper
from lakehouse_common.silver_transform import transform_dataset
from tools.music_library_sample.generate import (
    FIRST_DAY,
    MAX_DAYS,
    all_play_rows,
    day_files,
    generate_library,
    generate_plays,
)

CONTRACT = load_contract("sources/music_library/contract.json")
# sha256 of every day's files, in day and name order. The e2e suites compute their expected
# numbers from these samples: a change here changes what they check, so it must be deliberate.
SMALL_SAMPLES = {
    (7, 12, 1): "67602823abc978583040290cc56c424a3345a0dbdb10775be786417d2e7a6b8d",
    (7, 40, 2): "572ee0c12cfa13150138ffd83eca45e06c7e9014f9307f5e4e26b30def3fd92e",
    (7, 60, 3): "1175c95c1fbb693347517b1b94a4be39290e720f35e765b433acbc34180fc902",
    (11, 40, 4): "7ea8b67fccc68c0cac28ab6e111803d1e839e89939b02877c0ed9410b238ae47",
}


@pytest.mark.parametrize(("sizes", "digest"), SMALL_SAMPLES.items())
def test_small_samples_are_byte_for_byte_unchanged(sizes, digest):
    library = generate_library(*sizes)
    body = b"".join(data for day in library.days for _name, data in sorted(day_files(library, day).items()))
    assert hashlib.sha256(body).hexdigest() == digest


def test_the_log_stays_within_its_year_and_never_in_the_future():
    last = FIRST_DAY + dt.timedelta(days=MAX_DAYS - 1)
    assert last < dt.datetime.now(dt.timezone.utc).date()
    library = generate_library(seed=3, tracks=5, days=MAX_DAYS)
    assert max(play.played_at for play in library.plays).date() == last
    with pytest.raises(ValueError, match=r"days=366: the log covers at most 365 days from 2025-10-01"):
        generate_library(seed=3, tracks=5, days=MAX_DAYS + 1)


def test_generate_plays_is_deterministic_and_shaped_like_the_small_log():
    plays = generate_plays(seed=7, tracks=50, rows=20_000)
    assert plays.equals(generate_plays(seed=7, tracks=50, rows=20_000))
    assert not plays.equals(generate_plays(seed=8, tracks=50, rows=20_000))
    small = all_play_rows(generate_library(seed=7, tracks=40, days=2))
    assert list(plays.columns) == list(small[0])
    first = plays.iloc[0].to_dict()
    assert isinstance(first["play_id"], str) and isinstance(first["played_at"], str)
    assert len(plays) == 20_000 and plays["play_id"].is_unique
    assert plays["play_id"].str.len().nunique() == 1  # one width, as the small log's ids
    assert plays["play_id"].str.fullmatch(r"\d{8}-\d{3,}").all()
    assert plays["played_at"].str.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z").all()
    moments = pd.to_datetime(plays["played_at"], utc=True)
    assert moments.is_monotonic_increasing
    # A play's id names its day.
    assert (plays["play_id"].str[:8] == moments.dt.strftime("%Y%m%d")).all()
    assert moments.min() >= pd.Timestamp(f"{FIRST_DAY}T07:00:00Z")
    assert moments.max() <= pd.Timestamp(f"{FIRST_DAY + dt.timedelta(days=MAX_DAYS - 1)}T22:00:00Z")
    assert moments.dt.hour.between(7, 22).all()
    assert moments.dt.date.nunique() == MAX_DAYS  # 20,000 plays cover every day of the year
    # A fifth of the library is never played; skips are about 15 % and short.
    assert not (plays["track_id"] % 5 == 0).any() and plays["track_id"].nunique() == 40
    assert 0.13 < plays["skipped"].mean() < 0.17
    assert plays.loc[plays["skipped"], "seconds_played"].between(5, 30).all()
    assert plays.loc[~plays["skipped"], "seconds_played"].between(150, 480).all()
    assert set(plays["device"]) == {"phone", "ipod", "laptop"}


def test_generate_plays_refuses_sizes_it_cannot_draw():
    with pytest.raises(ValueError, match="need at least 5 tracks, 1 row and 1 to 365 days"):
        generate_plays(rows=10, days=MAX_DAYS + 1)
    with pytest.raises(ValueError, match="got tracks=4"):
        generate_plays(tracks=4, rows=10)


def test_generated_plays_pass_bronze_and_silver(caplog):
    plays = generate_plays(seed=5, tracks=20, rows=3_000, days=10)
    dataset = CONTRACT.dataset("plays")
    with caplog.at_level(logging.WARNING):
        conformed = bronze.conform(plays, dataset, "generated plays")
        silver = transform_dataset(conformed, dataset, "generated plays")
    assert len(silver) == 3_000 and "duplicate" not in caplog.text
    assert silver["played_at"].max() < pd.Timestamp.now(tz="UTC")
    assert str(silver["played_at"].dtype) == "datetime64[ns, UTC]"


def _silver_parquet(frame: pd.DataFrame) -> bytes:
    """The silver rows as Parquet bytes, written as the bench and the job's writer do."""
    table = pa.Table.from_pandas(frame, preserve_index=False, safe=True)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="snappy", coerce_timestamps="ms", flavor="spark")
    return buffer.getvalue()


def test_generated_plays_give_the_same_silver_bytes_on_every_path(monkeypatch):
    dataset = CONTRACT.dataset("plays")
    bronze_rows = bronze.conform(generate_plays(seed=9, tracks=30, rows=50_000), dataset, "generated plays")
    bronze_table = pa.Table.from_pandas(bronze_rows, preserve_index=False)
    # Read back as the job reads bronze: Arrow-backed text, in several chunks.
    frame = pa.Table.from_batches(bronze_table.to_batches(max_chunksize=16_384)).to_pandas(
        split_blocks=True, types_mapper=bronze_types_mapper
    )
    fast = _silver_parquet(transform_dataset(frame, dataset, "generated plays"))
    with monkeypatch.context() as patched:
        patched.setattr(silver_transform, "fixed_width_bytes", lambda *_args: None)
        regex = _silver_parquet(transform_dataset(frame, dataset, "generated plays"))
        patched.setattr(silver_transform, "_single_key_unique", lambda *_args: False)
        patched.setattr(silver_transform, "_arrow_timestamps_tz", lambda *_args: None)
        general = _silver_parquet(transform_dataset(frame, dataset, "generated plays"))
    assert fast == regex == general
