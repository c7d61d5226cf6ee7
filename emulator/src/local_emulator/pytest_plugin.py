"""pytest plugin: a session-scoped `emulator` fixture running the server on a free port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local_emulator.handle import Emulator, running_emulator

__all__ = ["Emulator", "emulator"]


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with running_emulator(tmp_path_factory.mktemp("emulator")) as running:
        yield running
