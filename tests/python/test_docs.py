"""docs/python.md's notebook session runs as written, so the example cannot rot."""

import pathlib
import re
import shutil

import pytest

from conftest import needs_module

chokepoint = needs_module()

SESSION = "## A notebook session"


def session_blocks(source_dir: pathlib.Path) -> list[str]:
    text = (source_dir / "docs" / "python.md").read_text(encoding="utf-8")
    section = text[text.index(SESSION):]
    blocks = re.findall(r"^```python\n(.*?)^```", section, flags=re.S | re.M)
    assert len(blocks) >= 4, "the session's code blocks were not found"
    return blocks


def shown_outputs(source_dir: pathlib.Path) -> list[str]:
    """The output blocks that follow a code block of the session: what the code printed when written."""
    text = (source_dir / "docs" / "python.md").read_text(encoding="utf-8")
    section = text[text.index(SESSION):]
    return re.findall(r"^```python\n.*?^```\n\n```\n(.*?)^```", section, flags=re.S | re.M)


def run_blocks(blocks, source_dir, tmp_path, monkeypatch):
    shutil.copytree(source_dir / "scenarios", tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for number, block in enumerate(blocks):
        exec(compile(block, f"docs/python.md, session block {number + 1}", "exec"), namespace)
    return namespace


def is_plot(block: str) -> bool:
    return "matplotlib" in block


def test_session_without_plots(source_dir, tmp_path, monkeypatch, capsys):
    blocks = [block for block in session_blocks(source_dir) if not is_plot(block)]
    namespace = run_blocks(blocks, source_dir, tmp_path, monkeypatch)
    printed = capsys.readouterr().out
    assert "P(installed base < 40 M in 2030)" in printed
    assert "stages.cowos.yield" in printed and "factors.power.sigma" in printed  # the errors block
    assert namespace["difference"].json["stress"] == "slow-power"
    shown = shown_outputs(source_dir)
    assert len(shown) >= 2, "the sensitivity examples' outputs were not found"
    for output in shown:
        assert output in printed, f"docs/python.md shows output the code no longer prints:\n{output}"


def test_session_with_plots(source_dir, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib", reason="matplotlib is optional (python3-matplotlib)")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    run_blocks(session_blocks(source_dir), source_dir, tmp_path, monkeypatch)
    assert (tmp_path / "quake.png").stat().st_size > 10_000


def test_readme_example(source_dir, tmp_path, monkeypatch, capsys):
    text = (source_dir / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    assert len(blocks) == 1 and len(blocks[0].splitlines()) == 5
    fewer_paths = blocks[0].replace("paths=20_000", "paths=2_000")  # the same code, faster
    assert fewer_paths != blocks[0]
    namespace = run_blocks([fewer_paths], source_dir, tmp_path, monkeypatch)
    shape = (len(namespace["quake"].years), 2000)
    assert str(shape) in capsys.readouterr().out
