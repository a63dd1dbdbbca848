"""The policy settings and the essay's packages are defined once (configs/policy/settings.yaml) and read the same everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from redphone.model.config import CONFIG_DIR, ConfigError, compose, errors
from redphone.model.lab import packages

SWITCHED = ("institutions", "hotline", "track2")  # what a setting may change, compared whole


def _flat(node, prefix="") -> dict:
    out = {}
    for key, value in node.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _effective(overrides: dict):
    cfg = compose(packages.PRESET, overrides)
    assert errors(cfg) == []
    return {group: OmegaConf.to_container(cfg[group]) for group in SWITCHED}


def test_the_settings_are_ordered_with_the_baseline_first():
    settings = packages.settings()
    assert next(iter(settings)) == packages.baseline() == "status quo" and settings["status quo"] == {}
    assert list(packages.headline()) == [n for n in packages.headline()] and set(packages.headline()) <= set(settings)
    for name, over in settings.items():
        assert errors(compose(packages.PRESET, over)) == [], name  # every setting is a valid config


def test_track2_is_the_presets_standing_programme_everywhere():
    """One Track-II: the preset's initial reach (0.1), in the policy table and the headline alike (the headline used 0.3)."""
    assert packages.settings()["Track-II"] == packages.headline()["Track-II"] == {"institutions.track2": True}
    assert compose(packages.PRESET, packages.settings()["Track-II"]).track2.initial_reach == pytest.approx(0.1)


@pytest.mark.parametrize("framework", sorted(packages.frameworks()))
def test_each_figure_framework_is_its_setting(framework):
    """configs/experiment/framework/<name>.yaml (a Hydra group the figures use) switches what its setting switches."""
    yaml = OmegaConf.to_container(OmegaConf.load(CONFIG_DIR / "experiment" / "framework" / f"{framework}.yaml"))
    setting = packages.settings()[packages.frameworks()[framework]]
    assert _effective(_flat(yaml)) == _effective(setting)


def test_every_framework_file_is_named_in_the_settings():
    files = {p.stem for p in (CONFIG_DIR / "experiment" / "framework").glob("*.yaml")}
    assert files == set(packages.frameworks())


def test_make_policy_runs_these_settings():
    from redphone.model.lab import policy

    assert getattr(policy, "SETTINGS", packages.settings()) == packages.settings()


@pytest.mark.parametrize("text, problem", [
    ("baseline: none\nsettings: {a: {}}\n", "baseline = 'none': expected one of the settings"),
    ("baseline: a\nsettings: {a: 3}\n", "settings.a: expected a mapping of dotted config keys to values"),
    ("baseline: a\nsettings: {a: {}}\nheadline: [b]\n", "headline: ['b'] are not settings"),
])
def test_a_bad_settings_file_is_one_line(tmp_path: Path, text, problem):
    path = tmp_path / "settings.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        packages.settings(path)
    assert problem in str(error.value) and "\n" not in str(error.value)
