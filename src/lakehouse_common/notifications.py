"""Failure notifications: SNS messages that say which stage, dataset and cause failed."""

import logging
from typing import Any, Mapping, Optional

LOGGER = logging.getLogger(__name__)

# SNS limits: Subject <= 100 printable ASCII chars without newlines; Message < 256 KB.
_SUBJECT_MAX = 100
_MESSAGE_MAX = 200_000


EARLIER_DATA_KEPT = "Earlier data was left in place."


def join_causes(failed: Mapping[str, str]) -> str:
    """`name: cause; ...` sorted by name: a failure map on one line (for exception messages)."""
    return "; ".join(f"{name}: {cause}" for name, cause in sorted(failed.items()))


def failure_subject(stage: str, failed: Mapping[str, str]) -> str:
    """Short subject naming the stage and the failed datasets, within SNS's subject rules."""
    subject = f"{stage} failed: {', '.join(sorted(failed)) or 'run'}"
    ascii_only = subject.encode("ascii", "replace").decode("ascii").replace("\n", " ")
    return ascii_only[: _SUBJECT_MAX - 3] + "..." if len(ascii_only) > _SUBJECT_MAX else ascii_only


def failure_message(
    stage: str, ingest_date: str, failed: Mapping[str, str], succeeded: Mapping[str, Any]
) -> str:
    """Body: one line per failed dataset with its cause, then what did succeed (and was kept)."""
    lines = [f"{stage} failed for ingest_date {ingest_date}.", "", "Failed datasets:"]
    lines += [f"- {name}: {cause}" for name, cause in sorted(failed.items())]
    if succeeded:
        lines += ["", "Succeeded (kept): " + ", ".join(sorted(succeeded))]
    lines += ["", EARLIER_DATA_KEPT]
    text = "\n".join(lines)
    return text if len(text) <= _MESSAGE_MAX else text[:_MESSAGE_MAX] + "\n[truncated]"


def publish_failure(
    topic_arn: Optional[str], subject: str, message: str, sns_client: Any = None
) -> Optional[str]:
    """Publish to `topic_arn`; return the MessageId, or None when no topic is configured.

    Never raises: the caller is already failing and must report its own error, not this one.
    """
    if not topic_arn:
        LOGGER.warning("no failure topic configured; not notifying: %s", subject)
        return None
    try:
        if sns_client is None:
            import boto3  # noqa: PLC0415 - only needed when actually publishing

            sns_client = boto3.client("sns")
        response = sns_client.publish(TopicArn=topic_arn, Subject=subject, Message=message)
    except Exception:  # the original failure matters more than a failed notification
        LOGGER.exception("could not publish failure notification to %s", topic_arn)
        return None
    return str(response.get("MessageId"))
