"""A definition's QueryLanguage never leaks into another definition parsed at the same time."""

from __future__ import annotations

import json

from moto.stepfunctions.parser.asl.component.common.query_language import QueryLanguage, QueryLanguageMode
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

from local_emulator.corrections import apply_all

JSONPATH = {"StartAt": "S", "States": {"S": {"Type": "Pass", "Parameters": {"a.$": "$.x"}, "End": True}}}


def test_jsonpath_definition_parses_while_a_jsonata_parse_is_in_progress():
    apply_all()
    # The server parses on many threads: another request's parser is inside a JSONata scope.
    elsewhere = Preprocessor()
    elsewhere._query_language_per_scope.append(QueryLanguage(QueryLanguageMode.JSONata))
    try:
        program = AmazonStateLanguageParser.parse(json.dumps(JSONPATH))
    finally:
        elsewhere._query_language_per_scope.clear()

    assert program is not None
