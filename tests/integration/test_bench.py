"""``shienapp bench`` plumbing on a small database: the JSON has every measurement asked for,
with positive numbers. Timings are never asserted (the machines are shared and noisy)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import run

from shienapp.core.context import AppContext
from shienapp.core.demo_large import build_large_demo


@pytest.fixture(scope="module")
def small_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "small.sqlite3"
    ctx = AppContext.open(path)
    try:
        build_large_demo(ctx.db, lambda _text: None, scale=0.01)
    finally:
        ctx.close()
    return path


@pytest.mark.slow
def test_bench_writes_medians_ratios_and_targets(small_city: Path, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    before = small_city.read_bytes()
    result = run(
        "bench", "--db", small_city, "--repeat", "1", "--only", "startup,lists,memory",
        "--out", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert small_city.read_bytes() == before  # measured on a copy
    results = data["results"]
    for name in (
        "startup.floor.window",
        "startup.demo.window",
        "startup.demo.district_list",
        "startup.large.window",
        "startup.large.district_list",
        "lists.districts.first_page",
        "lists.meetings.first_page",
        "lists.directory.first_page",
        "lists.directory.people.first_page",
        "lists.directory.needs.first_page",
        "lists.meetings.actions.first_page",
        "lists.people.search",
        "lists.meetings.search",
    ):
        stats = results[name]
        assert stats["min"] > 0 and stats["min"] <= stats["median"] <= stats["max"], name
        assert len(stats["runs"]) == 1
    assert data["ratios_to_floor"]["startup.large.window"] > 0
    assert set(data["modules"]) >= {"startup.large.window", "startup.large.district_list"}
    assert data["values"]["memory.peak_mb"] > 0
    assert data["database"]["rows"]["people"] > 0
    assert {"cpu", "cores", "python", "pyside6"} <= set(data["machine"])
    named = {t["name"] for t in data["targets"]}
    assert {"startup.large.window", "lists.people.search", "memory.peak_mb"} <= named
    assert all(isinstance(t["met"], bool) for t in data["targets"])
    assert "目標 memory.peak_mb" in result.stdout


def test_bench_refuses_a_missing_database_and_an_unknown_group(tmp_path: Path) -> None:
    missing = run("bench", "--db", tmp_path / "none.sqlite3", "--repeat", "1")
    assert missing.returncode != 0
    assert "shienapp demo --scale large" in missing.stderr
    empty = tmp_path / "empty.sqlite3"
    AppContext.open(empty).close()
    unknown = run("bench", "--db", empty, "--only", "startup,speed")
    assert unknown.returncode != 0
    assert "測定「speed」はありません" in unknown.stderr
