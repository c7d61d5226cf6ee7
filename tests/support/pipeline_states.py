"""The states a medallion pipeline run entered, named per layer.

The definition writes the catalog check and the crawl loop once (CheckCatalog, CrawlNeeded,
StartCrawler, WaitForCrawler, GetCrawler, CrawlerFinished) and enters them for each layer after
that layer's stage: BronzeLoad, PublishSilver and RunGoldJob each assign the `layer` the block
works on. `by_layer` names each entry as the layer it ran for (StartCrawler after PublishSilver
is StartSilverCrawler), so tests can say which layer was checked or crawled, and in what order.
`possible_values` resolves the step names the shared states' Catches record. Shared by the ASL
suite (tests/asl), the end-to-end suite (tests/e2e) and the runbook check (tests/unit).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import jsonata
from iam_calls import assigned_literals

# A variable an expression reads: `$name` not followed by `(` (that is a function call).
_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()")

# The stage whose success assigns the layer the shared block then checks and crawls.
LAYER_AFTER = {"BronzeLoad": "Bronze", "PublishSilver": "Silver", "RunGoldJob": "Gold"}
SHARED = {
    "CheckCatalog": "Check{}Catalog",
    "CrawlNeeded": "{}CrawlNeeded",
    "StartCrawler": "Start{}Crawler",
    "WaitForCrawler": "WaitFor{}Crawler",
    "GetCrawler": "Get{}Crawler",
    "CrawlerFinished": "{}CrawlerFinished",
}


def by_layer(entered: list[str]) -> list[str]:
    """`entered` with each shared catalog/crawl state renamed for the layer it ran for."""
    named, layer = [], None
    for state in entered:
        if state in SHARED:
            assert layer, f"{state} entered before any layer's stage"
            named.append(SHARED[state].format(layer))
        else:
            named.append(state)
        layer = LAYER_AFTER.get(state, layer)
    return named


def possible_values(definition: dict[str, Any], value: Any) -> list[Any]:
    """A literal as is; a `{% %}` expression as each value it takes over the literal values the
    definition assigns to the variables it reads (the shared block's step names, one per layer).
    Raises when the expression reads anything not assigned as a literal ($states, a result)."""
    if not (isinstance(value, str) and value.startswith("{%")):
        return [value]
    expression = value.strip()[2:-2]
    names = sorted(set(_VARIABLE.findall(expression)))
    choices = [assigned_literals(definition, name) for name in names]
    results = []
    for combination in itertools.product(*choices):
        result = jsonata.Jsonata(expression).evaluate(None, dict(zip(names, combination)))
        if result not in results:
            results.append(result)
    return results
