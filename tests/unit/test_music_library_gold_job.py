"""Music-library gold job: its real main(glue_context) on the GlueContext double and the local
SparkSession, silver staged as local folders and read through --storage_root (as the emulator
runs it): four reports, one file each, a re-run leaves one copy, a failure notifies once and leaves
the earlier gold in place."""

from pathlib import Path
from typing import List

import pyarrow.parquet as pq
import pytest
from fixtures_music_gold import HAND_PLAYS, HAND_TRACKS, PLAY_SCHEMA, TRACK_SCHEMA

from sources.music_library.glue import gold_music_library as gold

REPORTS = ("genre_bpm_band", "key_distribution", "plays_by_track_month", "rarely_played")


def _argv(glue_aws, root: Path) -> List[str]:
    return [
        "gold_music_library.py",
        "--silver_bucket",
        glue_aws.silver_bucket,
        "--gold_bucket",
        glue_aws.gold_bucket,
        "--failure_topic_arn",
        glue_aws.topic_arn,
        "--storage_root",
        f"file://{root}",
    ]


def _files(folder: Path) -> List[str]:
    return sorted(p.name for p in folder.rglob("*.parquet") if not p.name.startswith("."))


@pytest.mark.spark
def test_main_writes_four_reports_and_a_rerun_leaves_one_copy(glue_aws, glue_context, tmp_path):
    spark = glue_context.spark_session
    silver = tmp_path / glue_aws.silver_bucket / "music_library"
    spark.createDataFrame(HAND_TRACKS, TRACK_SCHEMA).write.parquet(str(silver / "tracks"))
    spark.createDataFrame(HAND_PLAYS, PLAY_SCHEMA).write.parquet(str(silver / "plays"))

    first = gold.main(glue_context, _argv(glue_aws, tmp_path))
    gold_root = tmp_path / glue_aws.gold_bucket / "music_library"
    assert sorted(first) == list(REPORTS)
    assert all(len(_files(gold_root / report)) == 1 for report in REPORTS)
    rows = {report: pq.read_table(gold_root / report).num_rows for report in REPORTS}

    gold.main(glue_context, _argv(glue_aws, tmp_path))

    assert all(len(_files(gold_root / report)) == 1 for report in REPORTS)
    assert {report: pq.read_table(gold_root / report).num_rows for report in REPORTS} == rows
    # 4 hand tracks: 3 with plays in 2 months -> 4 track-months; tracks 2, 3, 4 played at most once.
    assert rows["plays_by_track_month"] == 4 and rows["rarely_played"] == 3
    assert glue_aws.notifications() == []


@pytest.mark.spark
def test_failure_notifies_once_and_leaves_earlier_gold_in_place(glue_aws, glue_context, tmp_path):
    earlier = tmp_path / glue_aws.gold_bucket / "music_library" / "rarely_played" / "part-0.parquet"
    earlier.parent.mkdir(parents=True)
    earlier.write_bytes(b"earlier gold")

    with pytest.raises(Exception, match=r"PATH_NOT_FOUND|Path does not exist"):
        gold.main(glue_context, _argv(glue_aws, tmp_path))

    assert earlier.read_bytes() == b"earlier gold"
    [note] = glue_aws.notifications()
    assert note["Subject"] == "gold music_library failed"
    assert "music_library/tracks" in note["Message"]
