"""What the dashboard's controls hold, and how typed values become ``CrisisModel`` arguments.

The controls hold raw values: text as typed, booleans from switches. ``check``
turns them into config overrides and runs the project's own validation
(``model.config.compose`` for types, ``model.config.errors`` for ranges): it
returns either the arguments of a ``CrisisModel`` or one line per problem,
never both. The dashboard builds a model only from arguments that passed.
"""

from __future__ import annotations

from typing import Any

from omegaconf import OmegaConf

from redphone.model.config import ConfigError, compose, errors
from redphone.model.lab import packages

SWITCHES = ("hotline", "dgmo", "backchannel", "track2", "mediation", "cbm", "responsible_media")
SWITCH_LABELS = {
    "hotline": "Leader hotline",
    "dgmo": "DGMO line",
    "backchannel": "Envoy backchannel",
    "track2": "Track-II programmes",
    "mediation": "Third-party mediation",
    "cbm": "Confidence-building measures",
    "responsible_media": "Responsible-media rules",
}
HOTLINE_MODES = ("automatic", "ad hoc")  # hotline.automatic = true / false
# typed controls: name -> (config key, label shown on the page)
TYPED = {
    "seed": ("seed", "Seed"),
    "n_public": ("population.public", "Citizens per side (population.public)"),
    "n_media": ("population.media", "Media outlets per side (population.media)"),
    "track2_reach": ("track2.reach", "Track-II reach per month (track2.reach; one value or A, B)"),
    "media_slant": ("media.slant", "Media nationalism (media.slant; one value or A, B)"),
}
# The page steps the model while you watch: beyond these a day takes too long to stay responsive.
# Larger populations run with scripts/run.py.
MAX_PUBLIC, MAX_MEDIA = 1_000_000, 10_000


def _text(value) -> str:
    if OmegaConf.is_list(value) or isinstance(value, (list, tuple)):
        values = list(value)
        return _text(values[0]) if len(set(values)) == 1 else ", ".join(_text(v) for v in values)
    return f"{value:g}" if isinstance(value, float) else str(value)


def defaults(preset: str = "india_pakistan_2025") -> dict[str, Any]:
    """The controls as a preset sets them."""
    cfg = compose(preset)
    values: dict[str, Any] = {"preset": preset}
    values.update({name: _text(OmegaConf.select(cfg, key)) for name, (key, _) in TYPED.items()})
    values.update({name: bool(cfg.institutions[name]) for name in SWITCHES})
    values["hotline_mode"] = HOTLINE_MODES[0] if cfg.hotline.automatic else HOTLINE_MODES[1]
    return values


def with_setting(controls: dict[str, Any], name: str) -> dict[str, Any]:
    """The controls with a policy setting's switches (configs/policy/settings.yaml, the one list ``make policy``
    runs): the preset's switches, then the setting's overrides; typed values and the seed are kept."""
    over = packages.settings()[name]
    cfg = compose(controls["preset"], {k: v for k, v in over.items() if k.startswith(("institutions.", "hotline.automatic"))})
    new = {**controls, **{s: bool(cfg.institutions[s]) for s in SWITCHES}}
    new["hotline_mode"] = HOTLINE_MODES[0] if cfg.hotline.automatic else HOTLINE_MODES[1]
    return new


def parse(text: str):
    """Typed text -> a number, a pair of numbers ("0.6, 0.4"), or the text itself (the validation then says why not)."""
    text = str(text).strip()
    if "," in text:
        return [parse(part) for part in text.split(",")]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def overrides(controls: dict[str, Any]) -> dict[str, Any]:
    """Dotted config keys for every control but the preset."""
    keys = {key: parse(controls[name]) for name, (key, _) in TYPED.items()}
    keys.update({f"institutions.{name}": bool(controls[name]) for name in SWITCHES})
    mode = controls["hotline_mode"]
    keys["hotline.automatic"] = mode == HOTLINE_MODES[0] if mode in HOTLINE_MODES else mode
    return keys


def check(controls: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
    """(CrisisModel keyword arguments, []) when every control is valid, else (None, one line per problem)."""
    preset = controls.get("preset")
    try:
        compose(preset)
    except ConfigError as error:
        return None, [str(error)]
    keys = overrides(controls)
    problems, typed = [], {}
    for key, value in keys.items():  # a value of the wrong type stops compose: try each alone, report all
        try:
            compose(preset, {key: value})
            typed[key] = value
        except ConfigError as error:
            problems.append(str(error))
    problems += errors(compose(preset, typed))
    public, media = typed.get("population.public"), typed.get("population.media")
    if isinstance(public, int) and public > MAX_PUBLIC:
        problems.append(f"population.public = {public}: the dashboard runs at most {MAX_PUBLIC:,} citizens per side (use scripts/run.py for more)")
    if isinstance(media, int) and media > MAX_MEDIA:
        problems.append(f"population.media = {media}: the dashboard runs at most {MAX_MEDIA:,} outlets per side")
    if problems:
        return None, problems
    kwargs = dict(
        preset=preset,
        rng=keys["seed"],
        n_public=keys["population.public"],
        n_media=keys["population.media"],
        **{name: keys[f"institutions.{name}"] for name in SWITCHES},
        overrides={key: keys[key] for key in ("track2.reach", "media.slant", "hotline.automatic")},
    )
    return kwargs, []
