"""One logging setup for every artifact: level from LOG_LEVEL, one line per record."""

import logging
import os
from typing import Optional

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(name: str, level: Optional[str] = None) -> logging.Logger:
    """Return logger `name` at `level` (default env LOG_LEVEL, else INFO).

    Lambda's runtime already installs a root handler; only add one where none exists (local runs,
    Glue Python shell) so records are not printed twice.
    """
    wanted = (level or os.environ.get("LOG_LEVEL") or "INFO").upper()
    if wanted not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        wanted = "INFO"
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format=_FORMAT)
    root.setLevel(wanted)
    logger = logging.getLogger(name)
    logger.setLevel(wanted)
    # botocore at DEBUG logs request bodies; keep it quiet unless asked for explicitly.
    for noisy in ("botocore", "boto3", "urllib3", "s3transfer"):
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(wanted), logging.WARNING))
    return logger
