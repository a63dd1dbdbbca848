"""The policy settings and the essay's packages, defined once (``configs/policy/settings.yaml``).

``settings()`` is the ordered ``{name: overrides}`` that ``make policy``,
``scripts/headline.py``, the dashboard's policy menu and the README's tables
use; each is the status quo (``PRESET``) with those dotted config overrides.
``frameworks()`` names the setting behind each of the figures' four frameworks
(``configs/experiment/framework/<name>.yaml``), ``headline()`` the settings of
the headline table. A bad file stops with one line naming what is wrong.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf

from ..config import CONFIG_DIR, ConfigError

PATH = CONFIG_DIR / "policy" / "settings.yaml"
PRESET = "india_pakistan_2025"


def _load(path: Path | str = PATH) -> dict:
    try:
        data = OmegaConf.to_container(OmegaConf.load(path))
    except (OSError, ValueError) as error:
        raise ConfigError(f"{path}: cannot read the policy settings ({error})") from None
    settings = data.get("settings") if isinstance(data, dict) else None
    if not isinstance(settings, dict) or not settings:
        raise ConfigError(f"{path}: settings: expected a mapping of setting name -> overrides")
    for name, over in settings.items():
        if not isinstance(over, dict) or not all(isinstance(k, str) for k in over):
            raise ConfigError(f"{path}: settings.{name}: expected a mapping of dotted config keys to values")
    for key in ("baseline",):
        if data.get(key) not in settings:
            raise ConfigError(f"{path}: {key} = {data.get(key)!r}: expected one of the settings")
    for key in ("frameworks", "headline"):
        named = list((data.get(key) or {}).values()) if key == "frameworks" else list(data.get(key) or [])
        unknown = [n for n in named if n not in settings]
        if unknown:
            raise ConfigError(f"{path}: {key}: {unknown} are not settings; expected names from settings")
    return data


def settings(path: Path | str = PATH) -> dict[str, dict]:
    """The policy settings, in table order: {name: {dotted key: value}} (the baseline first)."""
    return {name: dict(over) for name, over in _load(path)["settings"].items()}


def baseline(path: Path | str = PATH) -> str:
    """The setting every effect is measured against (the status quo)."""
    return _load(path)["baseline"]


def frameworks(path: Path | str = PATH) -> dict[str, str]:
    """{framework config name: setting name} for configs/experiment/framework/."""
    return dict(_load(path)["frameworks"])


def headline(path: Path | str = PATH) -> dict[str, dict]:
    """The headline table's settings, in its order: {name: overrides}."""
    data = _load(path)
    return {name: dict(data["settings"][name]) for name in data["headline"]}
