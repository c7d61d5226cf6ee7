"""JSONata in Step Functions state machines, evaluated by jsonata-python instead of a JVM.

AWS behaviour: state machines with `"QueryLanguage": "JSONata"` evaluate `{% ... %}` expressions
in Arguments, Output, Assign, Condition, Items, ... with the JSONata 2.0 language plus the Step
Functions functions ($partition, $range, $hash, $random, $uuid, $parse) and the reserved
`$states` variable (input, result, errorOutput, context).
Source: https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html

moto 5.2.1 (whose parser is LocalStack's) evaluates JSONata through `_JSONataJVMBridge`, a JPype
bridge to the dashjoin jsonata-java engine; moto ships it disabled (`eval_jsonata_expression`
resets its function pointer to None and calls it: TypeError -> every JSONata state fails).
jsonata-python 0.7.1 is a Python port of that same dashjoin engine, so results match what
LocalStack produces with the JVM. We also:
- JSON-encode string variables when moto builds its `$name:="value";` declarations (moto wraps
  them in quotes unescaped, which breaks on any `"` or newline inside a value),
- return plain Python containers and integral numbers as ints (AWS prints 4, not 4.0),
- implement $uuid and $hash natively (moto declares both as returning the text "... is currently
  not supported").
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import jsonata
from moto.stepfunctions.parser.asl.jsonata.jsonata import JSONataException

from local_emulator.patching import replace, target

_HASH_ALGORITHMS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


def _hash(value: Any, algorithm: str) -> str:
    if algorithm not in _HASH_ALGORITHMS:
        raise ValueError(f"$hash: algorithm must be one of {sorted(_HASH_ALGORITHMS)}, got {algorithm!r}")
    return hashlib.new(_HASH_ALGORITHMS[algorithm], str(value).encode()).hexdigest()


def _plain(value: Any) -> Any:
    """jsonata-python containers/numbers -> plain JSON-compatible Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    # Functions and other engine objects are not JSON values; AWS rejects them as results.
    return str(value)


def eval_jsonata(expression: str) -> Any:
    try:
        compiled = jsonata.Jsonata(expression)
        compiled.register_lambda("uuid", lambda: str(uuid.uuid4()))
        compiled.register_lambda("hash", _hash)
        result = compiled.evaluate(None)
    except Exception as exc:  # the engine raises JException and friends
        raise JSONataException("UNKNOWN", str(exc)) from exc
    return _plain(result)


def encode_jsonata_variable_declarations(bindings: dict[str, Any]) -> str:
    parts = []
    for reference, value in bindings.items():
        parts.append(f"{reference}:={json.dumps(value, separators=(',', ':'), default=str)};")
    return "".join(parts)


def apply() -> None:
    module = "moto.stepfunctions.parser.asl.jsonata.jsonata"
    target(module, "_JSONataJVMBridge")  # the bridge this replaces must still be the mechanism
    replace(module, "_eval_jsonata", eval_jsonata)
    replace(module, "encode_jsonata_variable_declarations", encode_jsonata_variable_declarations)
    replace(
        "moto.stepfunctions.parser.asl.eval.states",
        "encode_jsonata_variable_declarations",
        encode_jsonata_variable_declarations,
    )
    replace(
        "moto.stepfunctions.parser.asl.eval.variable_store",
        "encode_jsonata_variable_declarations",
        encode_jsonata_variable_declarations,
    )
    intrinsic = "moto.stepfunctions.parser.asl.component.intrinsic.jsonata"
    _, _, declarations = target(intrinsic, "_DECLARATION_BY_VARIABLE_REFERENCE")
    for name in ("$uuid", "$hash"):
        if name not in declarations:
            raise RuntimeError(f"{intrinsic}: {name} declaration missing; re-check the JSONata correction")
        # An empty declaration is skipped by moto, leaving the natively registered function visible.
        declarations[name] = ""
