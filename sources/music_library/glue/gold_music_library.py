"""Gold job of the music-library product (Project Wolfie): Glue 5.0, PySpark 3.5.

Sources  <silver>/<source>/tracks/, <silver>/<source>/plays/  (live silver snapshots, never
         _candidate/; docs/job-protocol.md)
Sinks    <gold>/<source>/<report>/ for the four reports below (snappy Parquet, one file each,
         written through the shared idempotent sink lakehouse_common.gold_sink.save_snapshot)
Failure  one notification to --failure_topic_arn naming the stage, then the run fails; the
         previous gold snapshots stay readable (the sink deletes old files only after writing).

Arguments: --silver_bucket, --gold_bucket, [--source_name music_library], [--failure_topic_arn],
[--storage_root] (local runs; see lakehouse_common.gold_sink.dataset_uri).

The transforms are pure PySpark, no I/O: silver `tracks` (the merged library: one row per track
still in it) and silver `plays` (every listening event once) become the four reports the product
serves:

- `plays_by_track_month`   listening trends: plays, skips and listening time per track and month;
- `rarely_played`          library optimisation: tracks played at most `RARELY_PLAYED_MAX` times
                           in the log (never-played tracks included), least played first;
- `genre_bpm_band`         distribution: tracks and plays per genre and 10-BPM band ("120-129");
- `key_distribution`       distribution: tracks per genre and musical key, with the key's share
                           of its genre (the "most house tracks are in a few minor keys" question).

A skipped play is a play that did not count: it is reported as a skip, never as a play.

This file is the whole job: Glue runs one script (plus lakehouse_common.zip), so the product's
transforms live here, with sources / transforms / sinks / main kept apart.
"""

import logging
import sys
from typing import Any, Dict, List, Optional, Sequence

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from lakehouse_common.glue_job import get_job_arguments, job_start_utc, run_or_notify
from lakehouse_common.gold_sink import dataset_uri, save_snapshot
from lakehouse_common.logging_setup import configure_logging

LOGGER = logging.getLogger("gold_music_library")
SOURCE = "music_library"
STAGE = "gold music_library"
SILVER_DATASETS = ("tracks", "plays")

# ---- transforms (pure) -----------------------------------------------------------------------

RARELY_PLAYED_MAX = 1
BPM_BAND_WIDTH = 10

TRACK_COLUMNS = ("track_id", "title", "artist", "genre", "bpm", "musical_key", "rating", "play_count")
PLAY_COLUMNS = ("play_id", "track_id", "played_at", "seconds_played", "skipped")


def _require(frame: DataFrame, name: str, columns: tuple) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"silver {name} is missing column(s) {missing}")


def _counted_plays(plays: DataFrame) -> DataFrame:
    """Plays with 0/1 counters: `counted` for a real play, `skip` for a skipped one."""
    skipped = F.coalesce(F.col("skipped"), F.lit(False))
    return plays.withColumn("counted", F.when(skipped, 0).otherwise(1)).withColumn(
        "skip", F.when(skipped, 1).otherwise(0)
    )


def plays_by_track_month(tracks: DataFrame, plays: DataFrame) -> DataFrame:
    """One row per track and calendar month (UTC) with at least one logged event."""
    _require(tracks, "tracks", TRACK_COLUMNS)
    _require(plays, "plays", PLAY_COLUMNS)
    # Months are UTC months: Glue's Spark session time zone is UTC (and the tests' session too).
    monthly = (
        _counted_plays(plays)
        .groupBy(
            "track_id",
            F.year("played_at").alias("play_year"),
            F.month("played_at").alias("play_month"),
        )
        .agg(
            F.sum("counted").cast("long").alias("plays"),
            F.sum("skip").cast("long").alias("skips"),
            F.sum(F.when(F.col("counted") == 1, F.col("seconds_played")).otherwise(0))
            .cast("long")
            .alias("seconds_played"),
        )
    )
    # Inner join: silver's quality gate already refused plays of unknown tracks.
    return monthly.join(tracks.select("track_id", "title", "artist", "genre"), "track_id").select(
        "play_year", "play_month", "track_id", "title", "artist", "genre", "plays", "skips", "seconds_played"
    )


def _plays_per_track(plays: DataFrame) -> DataFrame:
    return (
        _counted_plays(plays)
        .groupBy("track_id")
        .agg(
            F.sum("counted").cast("long").alias("logged_plays"),
            F.max(F.when(F.col("counted") == 1, F.col("played_at"))).alias("last_logged_play"),
        )
    )


def rarely_played(tracks: DataFrame, plays: DataFrame, most: int = RARELY_PLAYED_MAX) -> DataFrame:
    """Tracks of the library with at most `most` counted plays in the log."""
    _require(tracks, "tracks", TRACK_COLUMNS)
    _require(plays, "plays", PLAY_COLUMNS)
    per_track = tracks.join(_plays_per_track(plays), "track_id", "left").withColumn(
        "logged_plays", F.coalesce(F.col("logged_plays"), F.lit(0).cast("long"))
    )
    return per_track.filter(F.col("logged_plays") <= most).select(
        "track_id",
        "title",
        "artist",
        "genre",
        "rating",
        F.col("play_count").cast("long").alias("player_play_count"),
        "logged_plays",
        "last_logged_play",
        (F.col("logged_plays") == 0).alias("never_played"),
    )


def bpm_band(bpm: "F.Column") -> "F.Column":
    """ "120-129" for 120.0 <= bpm < 130.0; null for a null tempo."""
    low = (F.floor(bpm / BPM_BAND_WIDTH) * BPM_BAND_WIDTH).cast("int")
    return F.when(bpm.isNull(), F.lit(None)).otherwise(
        F.concat(low.cast("string"), F.lit("-"), (low + BPM_BAND_WIDTH - 1).cast("string"))
    )


def genre_bpm_band(tracks: DataFrame, plays: DataFrame) -> DataFrame:
    """Tracks and counted plays per genre and BPM band, with the band's share of all plays."""
    _require(tracks, "tracks", TRACK_COLUMNS)
    _require(plays, "plays", PLAY_COLUMNS)
    per_track = tracks.join(_plays_per_track(plays), "track_id", "left")
    grouped = (
        per_track.withColumn("bpm_band", bpm_band(F.col("bpm")))
        .groupBy("genre", "bpm_band")
        .agg(
            F.count("track_id").cast("long").alias("tracks"),
            F.coalesce(F.sum("logged_plays"), F.lit(0)).cast("long").alias("plays"),
        )
    )
    total = F.sum("plays").over(Window.partitionBy())
    return grouped.withColumn(
        "share_of_plays", F.when(total > 0, F.round(F.col("plays") / total, 4)).otherwise(F.lit(0.0))
    )


def key_distribution(tracks: DataFrame) -> DataFrame:
    """Tracks per genre and key, the key's mode, and its share of the genre's tracks."""
    _require(tracks, "tracks", TRACK_COLUMNS)
    grouped = tracks.groupBy("genre", "musical_key").agg(F.count("track_id").cast("long").alias("tracks"))
    genre_total = F.sum("tracks").over(Window.partitionBy("genre"))
    return grouped.select(
        "genre",
        "musical_key",
        F.when(F.col("musical_key").endswith("m"), "minor").otherwise("major").alias("mode"),
        "tracks",
        F.round(F.col("tracks") / genre_total, 4).alias("share_of_genre"),
    )


def gold_tables(tracks: DataFrame, plays: DataFrame) -> Dict[str, DataFrame]:
    """Every gold table of the product, by dataset name."""
    return {
        "plays_by_track_month": plays_by_track_month(tracks, plays),
        "rarely_played": rarely_played(tracks, plays),
        "genre_bpm_band": genre_bpm_band(tracks, plays),
        "key_distribution": key_distribution(tracks),
    }


# ---- sources ---------------------------------------------------------------------------------


def load_silver(spark: Any, silver_bucket: str, source: str, root: Optional[str]) -> Dict[str, DataFrame]:
    """The live silver snapshots the reports read, by dataset."""
    return {
        name: spark.read.parquet(dataset_uri(silver_bucket, source, name, root)) for name in SILVER_DATASETS
    }


# ---- sinks -----------------------------------------------------------------------------------


def save_reports(
    reports: Dict[str, DataFrame], gold_bucket: str, source: str, root: Optional[str], job_start: Any
) -> Dict[str, List[str]]:
    """Each report through the idempotent sink; returns report -> files written.

    One file per report: they are aggregates of one person's library (kilobytes), so more files
    would only slow every reader down."""
    return {
        name: save_snapshot(frame.coalesce(1), dataset_uri(gold_bucket, source, name, root), job_start)
        for name, frame in sorted(reports.items())
    }


# ---- main ------------------------------------------------------------------------------------


def run(spark: Any, argv: Sequence[str]) -> Dict[str, List[str]]:
    """Read arguments and silver, build the four reports and save them."""
    job_start = job_start_utc()
    args = get_job_arguments(
        required=["silver_bucket", "gold_bucket"],
        optional={"source_name": SOURCE, "failure_topic_arn": None, "storage_root": None},
        argv=argv,
    )
    source, root = str(args["source_name"]), args["storage_root"]
    silver = load_silver(spark, str(args["silver_bucket"]), source, root)
    reports = gold_tables(silver["tracks"], silver["plays"])
    written = save_reports(reports, str(args["gold_bucket"]), source, root, job_start)
    LOGGER.info("wrote %s", {name: len(files) for name, files in written.items()})
    return written


def main(
    glue_context: Any, argv: Optional[Sequence[str]] = None, sns_client: Any = None
) -> Dict[str, List[str]]:
    """Job entry point; a failure notifies once, then fails the run."""
    configure_logging("gold_music_library")
    arguments = list(sys.argv if argv is None else argv)
    # Read the topic on its own first, so even a missing required argument is reported.
    topic = get_job_arguments([], {"failure_topic_arn": None}, arguments)["failure_topic_arn"]
    return run_or_notify(STAGE, topic, lambda: run(glue_context.spark_session, arguments), sns_client)


if __name__ == "__main__":
    # Only on Glue: tests import this module without the Glue libraries.
    from awsglue.context import GlueContext
    from pyspark.context import SparkContext

    main(GlueContext(SparkContext.getOrCreate()))
