"""Bad input gets one clear line, exit status 2, and no results; good input composes the same everywhere."""

import subprocess
import sys
from pathlib import Path

import pytest

from redphone.model.config import ConfigError, build, compose, errors, presets

ROOT = Path(__file__).resolve().parent.parent
RUN = [sys.executable, str(ROOT / "scripts" / "run.py")]


def test_every_preset_composes_and_validates():
    assert set(presets()) >= {"india_pakistan_2025", "us_ussr_1962", "long_run", "bounded_confidence", "richardson"}
    for name in presets():
        cfg = compose(name)
        assert errors(cfg) == [], name
        build(cfg)


def test_the_2025_preset_is_the_status_quo_of_the_essay():
    cfg = compose("india_pakistan_2025")
    inst = cfg.institutions
    assert inst.dgmo and inst.mediation and not inst.hotline and not inst.track2 and not inst.backchannel
    assert list(cfg.sides) == ["India", "Pakistan"]
    (attack,) = cfg.events
    assert attack.day == 0 and attack.severity >= 0.8 and attack.evidence <= 0.3


@pytest.mark.parametrize(
    "overrides, key",
    [
        ({"public.epsilon": 1.5}, "public.epsilon"),
        ({"military.reaction": [0.1, -0.2]}, "military.reaction"),
        ({"institutions.hotline": 3}, "institutions.hotline"),
        ({"population.public": 1}, "population.public"),
        ({"population.public": 2**24 + 1}, "population.public"),
        ({"population.neighbours": 7}, "population.neighbours"),
        ({"replicates": 0}, "replicates"),
        ({"dyad.nuclear_risk": "high"}, "dyad.nuclear_risk"),
        ({"events": [{"day": 500, "target": "A", "severity": 0.5, "evidence": 0.5}]}, "events[0].day"),
        ({"events": [{"day": 1, "target": "C", "severity": 0.5, "evidence": 0.5}]}, "events[0].target"),
    ],
)
def test_each_bad_value_is_named_with_what_is_allowed(overrides, key):
    try:
        problems = errors(compose("india_pakistan_2025", overrides))
    except ConfigError as error:  # type errors are caught when composing
        problems = str(error).splitlines()
    assert len(problems) == 1, problems
    assert problems[0].startswith(key), problems


def test_unknown_preset_and_unknown_key():
    with pytest.raises(ConfigError, match="unknown preset 'atlantis'"):
        compose("atlantis")
    with pytest.raises(ConfigError, match="hotlin"):
        compose("india_pakistan_2025", {"institutions.hotlin": True})


def test_per_side_values_accept_one_number_or_a_pair():
    params, _ = build(compose("richardson", {"military.reaction": 0.01, "military.fatigue": [0.03, 0.05]}))
    assert list(params.military.reaction) == pytest.approx([0.01, 0.01])
    assert list(params.military.fatigue) == pytest.approx([0.03, 0.05])


@pytest.mark.parametrize(
    "args, key",
    [
        (["public.epsilon=1.5"], "public.epsilon"),
        (["preset=atlantis"], "preset"),
        (["institutions.hotlin=true"], "institutions.hotlin"),
        (["institutions.hotline=maybe"], "institutions.hotline"),
        (["population.public=-5"], "population.public"),
        (["-m", "public.epsilon=0.1,0.2,7"], "public.epsilon"),
        (["engine=torch"], "engine"),
    ],
)
def test_command_line_errors_are_one_line_exit_2_and_write_nothing(tmp_path, args, key):
    out = tmp_path / "out"
    result = subprocess.run(
        RUN + args + [f"hydra.run.dir={out}", f"hydra.sweep.dir={out}"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {key}"), result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_the_parameter_table_in_the_docs_matches_the_schema():
    from redphone.commands.params_table import table

    assert (ROOT / "docs" / "parameters.md").read_text().strip() == table().strip(), "run: make docs-params"
