"""Bronze Lambda for any source: raw -> bronze Parquet by the source's contract
(handler: bronze_load.handler.handler)."""
