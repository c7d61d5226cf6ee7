"""What every Glue job (Python shell and Spark) does the same way: read its arguments, time its
start, and turn a failure into one SNS notification before failing the run.

Python 3.9 compatible; no pandas/pyspark/awsglue imports (the silver Python shell job and the gold
Spark job both use it, and tests import it without Glue libraries).
"""

import datetime as dt
import logging
import sys
from typing import Callable, Dict, Mapping, Optional, Sequence, TypeVar

from lakehouse_common.arguments import ConfigError, resolve_job_args
from lakehouse_common.notifications import EARLIER_DATA_KEPT, publish_failure

LOGGER = logging.getLogger(__name__)
T = TypeVar("T")

# Arguments Glue itself passes or reserves; getResolvedOptions refuses them as user options.
RESERVED_JOB_ARGUMENTS = (
    "job-bookmark-option",
    "continuation-option",
    "job-bookmark-from",
    "job-bookmark-to",
    "JOB_ID",
    "JOB_RUN_ID",
    "SECURITY_CONFIGURATION",
    "encryption-type",
    "enable-data-lineage",
)


def get_job_arguments(
    required: Sequence[str],
    optional: Optional[Mapping[str, Optional[str]]] = None,
    argv: Optional[Sequence[str]] = None,
) -> Dict[str, Optional[str]]:
    """Job arguments with awsglue `getResolvedOptions(sys.argv, required)` semantics, plus optionals.

    - `--name value` and `--name=value` are both accepted; argv[0] (the script) is ignored;
    - every `required` name must be present with a non-empty value, else ConfigError naming all
      missing ones (getResolvedOptions exits via argparse instead);
    - `optional` maps name -> default (None allowed) for arguments Glue may not pass; awsglue has no
      optional arguments, which is why jobs read them through this function;
    - arguments the job did not ask for (Glue passes many: --JOB_ID, --TempDir, ...) are ignored;
    - asking for a reserved Glue argument is a programming error (RuntimeError, as in awsglue).
    Returns only the requested names.
    """
    optional = dict(optional or {})
    wanted = list(required) + [name for name in optional if name not in required]
    reserved = [name for name in wanted if name in RESERVED_JOB_ARGUMENTS]
    if reserved:
        raise RuntimeError(f"Using reserved arguments {', '.join('--' + name for name in reserved)}")
    source = list(sys.argv if argv is None else argv)
    resolved = resolve_job_args(source[1:], required, {k: v for k, v in optional.items() if v is not None})
    return {name: resolved.get(name, optional.get(name)) for name in wanted}


def job_start_utc() -> dt.datetime:
    """The job's start time (UTC, timezone-aware): files last modified up to it are the old copy."""
    return dt.datetime.now(dt.timezone.utc)


def notify_job_failure(
    stage: str, topic_arn: Optional[str], error: BaseException, note: str = "", sns_client: object = None
) -> None:
    """One failure notification for `stage`: subject "<stage> failed", the error, then `note`."""
    message = f"{stage} failed: {type(error).__name__}: {error}" + (f"\n\n{note}" if note else "")
    publish_failure(topic_arn, f"{stage} failed"[:100], message, sns_client=sns_client)


def run_or_notify(
    stage: str,
    topic_arn: Optional[str],
    body: Callable[[], T],
    sns_client: object = None,
) -> T:
    """Run `body`; on any exception publish one failure notification to `topic_arn`, then re-raise.

    Re-raising makes the Glue run FAILED, so the Step Functions .sync task fails too; the
    notification says why in words (the run's error message is easy to miss in the console).
    """
    try:
        return body()
    except Exception as error:
        LOGGER.exception("%s failed", stage)
        notify_job_failure(stage, topic_arn, error, EARLIER_DATA_KEPT, sns_client)
        raise


__all__ = ["ConfigError", "get_job_arguments", "job_start_utc", "notify_job_failure", "run_or_notify"]
