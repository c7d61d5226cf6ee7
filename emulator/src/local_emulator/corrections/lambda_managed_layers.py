"""The AWS-managed AWS SDK for pandas layer exists: its public SSM parameter and its layer ARN.

AWS behaviour (https://aws-sdk-pandas.readthedocs.io/en/3.17.0/install.html#aws-lambda-layer,
https://aws-sdk-pandas.readthedocs.io/en/3.17.0/layers.html): AWS publishes each release's layer
ARN as the public SSM parameter
`/aws/service/aws-sdk-pandas/<release>/py<X.Y>/<x86_64|arm64>/layer-arn` (what
modules/lambda_function reads), and any account may attach that layer version
(`arn:aws:lambda:<region>:336392948345:layer:AWSSDKPandas-Python312[-Arm64]:<n>`) to a function.
Public parameters belong to AWS, not the account: DescribeParameters never lists them
(https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-finding-public-parameters.html).

moto 5.2.1 has neither: the parameter is ParameterNotFound and CreateFunction with the ARN fails
with UnknownLayerVersionException. The emulator answers both for the release whose contents
`local_emulator.runtimes` reproduces (and only that one: a function declaring another release's
layer is refused, as the emulator could not run it faithfully); `lambda_invoke` puts the layer's
packages on the handler's path.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from local_emulator import runtimes
from local_emulator.patching import target

_PREFIX = "/aws/service/aws-sdk-pandas/"
_RELEASED = datetime.datetime(2026, 6, 25, tzinfo=datetime.timezone.utc)  # release 3.17.0


def _load_layer_parameters(parameters: Any) -> None:
    from moto.ssm.models import Parameter  # noqa: PLC0415 - moto loaded lazily like the server

    release = runtimes.AWS_SDK_PANDAS_VERSION
    for python in runtimes.AWS_SDK_PANDAS_LAYER_VERSIONS:
        for arch in ("x86_64", "arm64"):
            name = f"/aws/service/aws-sdk-pandas/{release}/py{python}/{arch}/layer-arn"
            if name in dict.keys(parameters):
                continue
            value = runtimes.sdk_pandas_layer_arn(parameters.region_name, python, arch)
            defaultdict.__getitem__(parameters, name).append(
                Parameter(
                    account_id=parameters.account_id,
                    name=name,
                    value=value,
                    parameter_type="String",
                    description=f"AWS SDK for pandas {release} layer for Python {python} ({arch})",
                    allowed_pattern=None,
                    keyid=None,
                    last_modified_date=_RELEASED,
                    version=1,
                    data_type="text",
                )
            )


def apply() -> None:
    owner, attr, original_check = target("moto.ssm.models", "ParameterDict._check_loading_status")

    def _check_loading_status(self: Any, key: str) -> None:
        original_check(self, key)
        if str(key or "").startswith(_PREFIX) and not getattr(self, "_emu_sdk_pandas_loaded", False):
            self._emu_sdk_pandas_loaded = True
            _load_layer_parameters(self)

    setattr(owner, attr, _check_loading_status)

    desc_owner, desc_attr, original_describe = target(
        "moto.ssm.models", "SimpleSystemManagerBackend.describe_parameters"
    )

    def describe_parameters(self: Any, *args: Any, **kwargs: Any) -> list[Any]:
        found = original_describe(self, *args, **kwargs)
        return [parameter for parameter in found if not parameter.name.startswith(_PREFIX)]

    setattr(desc_owner, desc_attr, describe_parameters)

    fn_owner, fn_attr, original_layers = target("moto.awslambda.models", "LambdaFunction._get_layers_data")

    def _get_layers_data(self: Any, layers_versions_arns: list[str]) -> list[dict[str, Any]]:
        managed = [arn for arn in layers_versions_arns if runtimes.layer_package_set(arn) is not None]
        own = original_layers(self, [arn for arn in layers_versions_arns if arn not in managed])
        by_arn = {layer["Arn"]: layer for layer in own}
        # CodeSize of the 3.17.0 layer zip is not published; the field is informational.
        return [by_arn.get(arn) or {"Arn": arn, "CodeSize": 0} for arn in layers_versions_arns]

    setattr(fn_owner, fn_attr, _get_layers_data)
