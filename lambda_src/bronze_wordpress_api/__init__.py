"""Bronze Lambda: raw JSON -> bronze Parquet (handler: bronze_wordpress_api.handler.handler)."""
