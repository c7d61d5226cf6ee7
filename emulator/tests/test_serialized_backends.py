"""Concurrent calls of one service do not break each other (corrections/serialized_backends.py)."""

from __future__ import annotations

import threading

import pytest
from botocore.config import Config

pytestmark = pytest.mark.emulator


def test_describe_while_others_write_never_fails(emu):
    # moto alone: DescribeParameters iterates the parameter dict while PutParameter inserts into
    # it -> "dictionary changed size during iteration" -> HTTP 500.
    config = Config(retries={"total_max_attempts": 1}, max_pool_connections=20)
    seed = emu.client("ssm", config=config)
    for i in range(300):
        seed.put_parameter(Name=f"/race/seed/{i}", Value="v", Type="String")
    errors: list[str] = []
    stop = threading.Event()

    def writer(worker: int) -> None:
        ssm = emu.client("ssm", config=config)
        for i in range(60):
            ssm.put_parameter(Name=f"/race/w{worker}/{i}", Value="v", Type="String")
        stop.set()

    def reader() -> None:
        ssm = emu.client("ssm", config=config)
        while not stop.is_set():
            try:
                ssm.describe_parameters(MaxResults=50)
            except Exception as exc:  # every failure is the finding
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    threads += [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    pages = seed.get_paginator("get_parameters_by_path").paginate(Path="/race/w3")
    assert sum(len(page["Parameters"]) for page in pages) == 60  # every write landed
