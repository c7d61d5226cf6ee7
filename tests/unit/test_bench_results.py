"""make bench's writer: sections per bench with date, machine and commit; a failing bench is
recorded as failed and fails the command; sections of benches not rerun are kept."""

import bench_results


def fake_repo(tmp_path, monkeypatch, scripts):
    (tmp_path / "bench").mkdir()
    for name, body in scripts.items():
        (tmp_path / "bench" / f"{name}.py").write_text(body)
    monkeypatch.setattr(bench_results, "REPO", tmp_path)
    monkeypatch.setattr(bench_results, "RESULTS", tmp_path / "bench" / "RESULTS.md")
    monkeypatch.setattr(
        bench_results, "BENCHES", tuple(bench_results.Bench(name, (), f"{name} bench") for name in scripts)
    )
    monkeypatch.setattr(bench_results, "commit", lambda: "abc1234")
    return tmp_path / "bench" / "RESULTS.md"


def test_each_bench_gets_a_section_with_its_output_and_a_failure_fails_the_command(tmp_path, monkeypatch):
    results = fake_repo(
        tmp_path,
        monkeypatch,
        {"cheap": "print('ratio 0.81x')", "broken": "import sys; print('half'); sys.exit(3)"},
    )

    assert bench_results.main([]) == 1

    text = results.read_text()
    assert "## `cheap`" in text and "ratio 0.81x" in text and "commit abc1234" in text
    assert "## `broken`" in text and "**FAILED (exit 3)**" in text
    assert "CPUs" in text


def test_rerunning_one_bench_keeps_the_other_sections(tmp_path, monkeypatch):
    results = fake_repo(tmp_path, monkeypatch, {"first": "print(1)", "second": "print('old')"})
    assert bench_results.main([]) == 0
    (tmp_path / "bench" / "second.py").write_text("print('new')")
    (tmp_path / "bench" / "first.py").write_text("print('changed but not rerun')")

    assert bench_results.main(["second"]) == 0

    text = results.read_text()
    assert "new" in text and "old" not in text
    assert "changed but not rerun" not in text and text.index("## `first`") < text.index("## `second`")
