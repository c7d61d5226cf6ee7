"""Each state machine definition starts in its own QueryLanguage scope.

AWS behaviour (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html,
"QueryLanguage"): a definition's query language is JSONPath unless the definition (or a state)
declares `"QueryLanguage": "JSONata"`; one definition never affects how another is read.

moto 5.2.1 keeps the parser's scope stack in a class attribute
(`moto.stepfunctions.parser.asl.parse.preprocessor.Preprocessor._query_language_per_scope`), shared
by every parse in the process. A scope a JSONata definition leaves on it makes the next JSONPath
definition be read as JSONata, so `CreateStateMachine` of a plain JSONPath machine (`"Parameters"`)
fails with `Unsupported declaration in QueryLanguage=JSONata block` once a JSONata machine exists.
The correction gives every parser its own stack.
"""

from __future__ import annotations

from typing import Any

from local_emulator.patching import target


def apply() -> None:
    owner, name, original_init = target(
        "moto.stepfunctions.parser.asl.parse.preprocessor", "Preprocessor.__init__"
    )

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self._query_language_per_scope = []

    setattr(owner, name, __init__)
