"""Raw Lambda for any source: landing drops and HTTP datasets into raw by the source's contract
(handler: raw_ingest.handler.handler)."""
