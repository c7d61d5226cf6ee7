"""CloudTrail StartLogging/StopLogging/DeleteTrail/GetTrailStatus accept a trail ARN or a name.

AWS behaviour (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StartLogging.html,
API_StopLogging.html, API_DeleteTrail.html, API_GetTrailStatus.html): `Name` "Specifies the name
or the CloudTrail ARN of the trail"; an unknown trail is TrailNotFoundException. The Terraform
AWS provider passes the ARN.

moto 5.2.1 indexes `self.trails[name]` directly: an ARN raises KeyError (HTTP 500) for
Start/StopLogging, and DeleteTrail silently does nothing (the trail survives `terraform destroy`).
GetTrailStatus already accepted ARNs; it is covered by the same lookup for consistency.

DescribeTrails (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html):
`trailNameList` holds "trail names, trail ARNs, or both"; a name is returned "only if the names
match the names of trails belonging only to the current Region and current account. To return
information about a trail in another Region, you must specify its trail ARN"; an empty list
returns the Region's trails and, unless `includeShadowTrails` is false, the shadow trails of
multi-Region trails created elsewhere. moto 5.2.1 ignores `trailNameList` and answers every trail
of the Region (shadows included) for any list, so a lookup of one trail by ARN returned others.
"""

from __future__ import annotations

import json
from typing import Any

from local_emulator.patching import target


def _named_trails(backend: Any, names: list[str]) -> list[Any]:
    """The trails a trailNameList names: names in the backend's own Region, ARNs anywhere."""
    from moto.cloudtrail.models import cloudtrail_backends  # noqa: PLC0415 - moto loads lazily

    found: list[Any] = []
    for name in names:
        if name.startswith("arn:"):
            regions = cloudtrail_backends[backend.account_id].values()
            match = next((t for b in regions for t in b.trails.values() if t.arn == name), None)
        else:
            match = backend.trails.get(name)
        if match is not None and match not in found:
            found.append(match)
    return found


def describe_trails(self: Any) -> str:
    names = self._get_param("trailNameList") or []
    if not names:
        trails = self.cloudtrail_backend.describe_trails(self._get_bool_param("includeShadowTrails", True))
    else:
        trails = _named_trails(self.cloudtrail_backend, [str(n) for n in names])
    return json.dumps({"trailList": [t.description(include_region=True) for t in trails]})


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
    owner, name, _ = target("moto.cloudtrail.responses", "CloudTrailResponse.describe_trails")
    setattr(owner, name, describe_trails)
