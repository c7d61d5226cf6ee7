"""CloudTrail StartLogging/StopLogging/DeleteTrail/GetTrailStatus accept a trail ARN or a name.

AWS behaviour (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StartLogging.html,
API_StopLogging.html, API_DeleteTrail.html, API_GetTrailStatus.html): `Name` "Specifies the name
or the CloudTrail ARN of the trail"; an unknown trail is TrailNotFoundException. The Terraform
AWS provider passes the ARN.

moto 5.2.1 indexes `self.trails[name]` directly: an ARN raises KeyError (HTTP 500) for
Start/StopLogging, and DeleteTrail silently does nothing (the trail survives `terraform destroy`).
GetTrailStatus already accepted ARNs; it is covered by the same lookup for consistency.
"""

from __future__ import annotations

from typing import Any

from local_emulator.patching import target


def apply() -> None:
    module = "moto.cloudtrail.models"
    target(module, "CloudTrailBackend.get_trail")  # name-or-ARN lookup (raises TrailNotFoundException)

    def start_logging(self: Any, name: str) -> None:
        self.get_trail(name).start_logging()

    def stop_logging(self: Any, name: str) -> None:
        self.get_trail(name).stop_logging()

    def delete_trail(self: Any, name: str) -> None:
        trail = self.get_trail(name)
        del self.trails[trail.trail_name]

    for attr, func in (
        ("start_logging", start_logging),
        ("stop_logging", stop_logging),
        ("delete_trail", delete_trail),
    ):
        owner, name, _ = target(module, f"CloudTrailBackend.{attr}")
        setattr(owner, name, func)
