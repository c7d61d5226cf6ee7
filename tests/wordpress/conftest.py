"""A real WordPress (Debian's packages) with the plugin from this repository, once per session.

Never skipped: when the packages cannot be installed the fixture errors and the run fails
(tools/wordpress_local/site.py installs them with apt-get when missing).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Optional

import pytest
from wordpress_local import site as wordpress


@pytest.fixture(scope="session")
def real_wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[wordpress.LocalWordPress]:
    with wordpress.running(tmp_path_factory.mktemp("wp")) as site:
        yield site


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def http_get(url: str, authorization: Optional[str] = None) -> Answer:
    request = urllib.request.Request(url, headers={"Authorization": authorization} if authorization else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return Answer(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers.items()), error.read())
