"""A merge-patch edit from Python is the same stress as a file that `extends` the scenario."""

import json

from conftest import needs_module

chokepoint = needs_module()


STRESS = {
    "name": "small-stressed",
    # a year between the parent's 2025 and 2027: the merged schedule must stay in calendar order
    "factors": {"token_demand": {"growth": {"2026": 1.6}, "trend_uncertainty": None},
                "power": {"growth": 0.1}},
    "stages": {"power": {"additions_per_year": 1500}, "cowos": {"yield": {"dist": "pert", "min": 0.5, "mode": 0.7,
                                                                          "max": 0.8}}},
    "events": {"quake": {"rate_per_year": 0.5}},
}


def test_patch_equals_extends(small_file, tmp_path):
    base = chokepoint.load(small_file)
    patched = base.patch(STRESS)
    # a parent must lie in the extending file's directory: the stress and a copy of its base share one
    (tmp_path / "small.json").write_text(open(small_file).read())
    file = tmp_path / "stress.json"
    file.write_text(json.dumps({"extends": "small.json", **STRESS}))
    extended = chokepoint.load(file)
    assert patched.text == extended.text
    assert list(patched.factors["token_demand"]["growth"]) == ["2025", "2026", "2027"]
    assert "trend_uncertainty" not in patched.factors["token_demand"]
    first = chokepoint.run(patched, paths=400, seed=9, threads=1, progress=False)
    second = chokepoint.run(extended, paths=400, seed=9, threads=1, progress=False)
    assert first.json["variables"] == second.json["variables"]
    assert first.json["stages"] == second.json["stages"]
    # and the patch changed the run
    unpatched = chokepoint.run(base, paths=400, seed=9, threads=1, progress=False)
    assert unpatched.json["variables"] != first.json["variables"]


def test_patch_leaves_the_original_and_reads_back(small_file):
    base = chokepoint.load(small_file)
    before = base.json
    patched = base.patch('{"price": {"usd_per_million_tokens": {"2027": 0.5}}}')
    assert base.json == before
    assert patched.parameters["price"]["usd_per_million_tokens"] == {"2025": 2.0, "2027": 0.5}
    changed = patched.json
    changed["name"] = "edited"
    assert patched.name == "small"  # sections are copies: edits go through patch()


def test_patch_takes_numpy_numbers(small_file):
    import numpy as np

    base = chokepoint.load(small_file)
    patched = base.patch({"stages": {"power": {"additions_per_year": np.float64(2500.0)}},
                          "factors": {"power": {"growth": np.float32(0.25)}}})
    assert patched.stages["power"]["additions_per_year"] == 2500.0
    assert patched.factors["power"]["growth"] == 0.25
