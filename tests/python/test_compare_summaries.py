"""scripts/compare_summaries.py, which scripts/gpu-check.sh runs on a CUDA and a CPU summary of the
same run: here on two CPU summaries, the same run twice and one altered the way a GPU could
differ (a path in the next bucket of a value distribution)."""

import json
import subprocess
import sys

import pytest


def compare(source_dir, a, b, *options):
    return subprocess.run([sys.executable, str(source_dir / "scripts" / "compare_summaries.py"), str(a), str(b),
                           *options], capture_output=True, text=True)


@pytest.fixture(scope="module")
def summary(cli, small_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("compare") / "run"
    cli("run", small_file, "--paths", 2000, "--seed", 7, "--quiet", "--out", out)
    return out / "summary.json"


def test_a_run_equals_itself(source_dir, summary):
    result = compare(source_dir, summary, summary)
    assert result.returncode == 0, result.stdout
    assert "value distributions: 0 of" in result.stdout


def test_a_path_in_another_bucket_is_counted_and_judged_against_the_allowed_share(source_dir, summary, tmp_path):
    altered = json.loads(summary.read_text())
    variable, years = next(iter(altered["distributions"]["variables"].items()))
    year, runs = next(iter(years.items()))
    first, count = runs[0][0], runs[0][1]
    assert count > 0 and first > 0
    runs[0][1] = count - 1         # one path leaves the first filled bucket ...
    runs.insert(0, [first - 1, 1])  # ... for the empty one below it
    moved = tmp_path / "moved.json"
    moved.write_text(json.dumps(altered))
    loose = compare(source_dir, moved, summary, "--count-share", "1e-3")  # 2 of 2000 paths allowed
    assert loose.returncode == 0, loose.stdout
    assert f"at most 1 path(s) in another bucket ({variable} {year})" in loose.stdout
    strict = compare(source_dir, moved, summary, "--count-share", "1e-4")
    assert strict.returncode == 1, strict.stdout


def test_distributions_on_one_side_only_fail(source_dir, summary, tmp_path):
    without = json.loads(summary.read_text())
    del without["distributions"]
    stripped = tmp_path / "without.json"
    stripped.write_text(json.dumps(without))
    result = compare(source_dir, stripped, summary)
    assert result.returncode == 1
    assert "value distributions:" in result.stdout
