"""tools/repeat_suites.py reads pytest's closing line and failure lines correctly."""

from __future__ import annotations

from repeat_suites import failed_tests, parse_counts


def test_counts_from_the_closing_line():
    output = (
        "....F.\nFAILED tests/asl/test_x.py::test_y - AssertionError: no\n"
        "= 1 failed, 5 passed, 2 skipped in 3.10s ="
    )
    assert parse_counts(output) == {"passed": 5, "failed": 1, "error": 0, "skipped": 2}


def test_errors_are_counted_and_named():
    output = "ERROR tests/e2e/test_a.py::test_b - RuntimeError: boom\n== 3 passed, 2 errors in 9.00s =="
    assert parse_counts(output)["error"] == 2
    assert failed_tests(output) == ["tests/e2e/test_a.py::test_b"]


def test_no_summary_counts_nothing():
    assert parse_counts("ImportError: no module\n") == {"passed": 0, "failed": 0, "error": 0, "skipped": 0}


def test_quiet_closing_line_without_rules():
    output = "....\n88 passed, 1 skipped in 267.97s (0:04:27)\n"
    assert parse_counts(output) == {"passed": 88, "failed": 0, "error": 0, "skipped": 1}
