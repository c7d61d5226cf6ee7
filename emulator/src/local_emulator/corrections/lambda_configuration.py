"""Lambda function configuration keeps KMSKeyArn and LoggingConfig, as AWS returns them.

AWS behaviour (https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html,
API_LoggingConfig.html): GetFunction/GetFunctionConfiguration return `KMSKeyArn` when the
environment is encrypted with a customer managed key, and always a `LoggingConfig`
(`LogFormat` Text by default, `LogGroup` `/aws/lambda/<name>` unless set; JSON format adds
`ApplicationLogLevel`/`SystemLogLevel`, INFO by default). Update calls change both.

moto 5.2.1 drops both fields, so Terraform shows a permanent diff on every aws_lambda_function
with `kms_key_arn` or `logging_config` (found applying envs/local).
"""

from __future__ import annotations

from typing import Any, Optional

from local_emulator.patching import target

_MODELS = "moto.awslambda.models"


def logging_config(function_name: str, requested: Optional[dict[str, Any]]) -> dict[str, Any]:
    config = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{function_name}"}
    config.update({k: v for k, v in (requested or {}).items() if v is not None})
    if config["LogFormat"] == "JSON":
        config.setdefault("ApplicationLogLevel", "INFO")
        config.setdefault("SystemLogLevel", "INFO")
    else:
        config.pop("ApplicationLogLevel", None)
        config.pop("SystemLogLevel", None)
    return config


def apply() -> None:
    init_owner, init_attr, original_init = target(_MODELS, "LambdaFunction.__init__")
    conf_owner, conf_attr, original_conf = target(_MODELS, "LambdaFunction.get_configuration")
    upd_owner, upd_attr, original_update = target(_MODELS, "LambdaFunction.update_configuration")

    def __init__(self: Any, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        original_init(self, account_id, spec, *args, **kwargs)
        self._emu_kms_key_arn = spec.get("KMSKeyArn") or None
        self._emu_logging_config = logging_config(self.function_name, spec.get("LoggingConfig"))

    def get_configuration(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        config = original_conf(self, *args, **kwargs)
        if getattr(self, "_emu_kms_key_arn", None):
            config["KMSKeyArn"] = self._emu_kms_key_arn
        config["LoggingConfig"] = dict(
            getattr(self, "_emu_logging_config", logging_config(self.function_name, None))
        )
        return config

    def update_configuration(self: Any, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "KMSKeyArn" in config_updates:
            self._emu_kms_key_arn = config_updates["KMSKeyArn"] or None
        if "LoggingConfig" in config_updates:
            merged = {**self._emu_logging_config, **(config_updates["LoggingConfig"] or {})}
            self._emu_logging_config = logging_config(self.function_name, merged)
        return original_update(self, config_updates)

    setattr(init_owner, init_attr, __init__)
    setattr(conf_owner, conf_attr, get_configuration)
    setattr(upd_owner, upd_attr, update_configuration)
