"""Configuration: the typed schema, presets, validation, and the step to arrays.

Data flows one way: a config (Hydra's, or one composed here for
``CrisisModel``) is validated once at the boundary, then turned into the
``Params`` pytree and the static ``Dims``. Every problem is reported as one
line naming the key and what is allowed.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
from dataclasses import dataclass, field
from typing import Any

from omegaconf import DictConfig, OmegaConf

from .. import HOME
from .params import EVENT_KINDS, GROUPS, MAX_SCRIPTED, SIDE_NAMES, Dims, Params, ScriptedAttack, to_params

# the public aggregates count citizens in float32, exact up to 2**24 per side
MAX_PUBLIC = 2**24
# outlets per side: far above any media system (about 50 per side in the presets)
MAX_MEDIA = 100_000

CONFIG_DIR = HOME / "configs"
ENGINES = ("jax", "mesa")


class ConfigError(ValueError):
    """A configuration value outside what the model allows (one line per problem)."""


@dataclass
class Population:
    public: int = 10_000
    media: int = 50
    neighbours: int = 8


@dataclass
class RunSettings:
    """What a run is, apart from the model's parameters."""

    preset: str = "india_pakistan_2025"
    engine: str = "jax"
    seed: int = 0
    replicates: int = 100
    days: int = 120
    sides: list[str] = field(default_factory=lambda: ["A", "B"])
    population: Population = field(default_factory=Population)
    events: list[ScriptedAttack] = field(default_factory=list)


# The schema of CrisisModel's config: the run settings plus one typed group per parameter group of
# model/params.py. The Hydra app's schema adds the lab's run settings (batch, jax, posterior, grid:
# redphone.model.lab.schema) to it.
RunConfig = dataclasses.make_dataclass(
    "RunConfig",
    [(name, cls, field(default_factory=cls)) for name, cls in GROUPS.items()],
    bases=(RunSettings,),
)


def presets() -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / "preset").glob("*.yaml"))


def compose(preset: str = "india_pakistan_2025", overrides: dict | None = None, schema=None) -> DictConfig:
    """Schema defaults, then the preset's file, then dotted-key overrides: what Hydra composes, without Hydra.

    ``schema``: the dataclass to compose (the core's ``RunConfig`` by default; the lab's, with its run
    settings, is ``lab.schema.RunConfig``: the one composer for both)."""
    if preset not in presets():
        raise ConfigError(f"preset: unknown preset {preset!r}; choose one of {', '.join(presets())}")
    schema = schema or RunConfig
    for key, value in (overrides or {}).items():
        check_switch(key, value)
    try:
        cfg = copy.deepcopy(_base(preset, schema, _preset_files()))
        for key, value in (overrides or {}).items():
            if OmegaConf.select(cfg, key, default=_ABSENT) is _ABSENT and not key.startswith("grid"):
                raise ConfigError(unknown_key(key, schema))
            OmegaConf.update(cfg, key, value, merge=True, force_add=False)
    except ConfigError:
        raise
    except Exception as error:  # omegaconf's errors carry several lines; keep one
        raise ConfigError(one_line(error)) from None
    return cfg


def _preset_files() -> tuple:
    """The preset folder as it is now (names, sizes, modification times): a preset edited in this process is read again."""
    return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted((CONFIG_DIR / "preset").glob("*.yaml")))


@functools.lru_cache(maxsize=64)
def _base(preset: str, schema, files: tuple) -> DictConfig:
    """The schema's defaults with the preset merged in, built once per preset and folder state (``compose`` copies it:
    a tenth of the time of building it, and sweeps, tests and calibration compose hundreds of settings)."""
    return OmegaConf.merge(OmegaConf.structured(schema), load_preset(preset))


def load_preset(preset: str, seen: tuple = ()) -> DictConfig:
    """A preset's file with the presets it extends merged under it, as Hydra does.

    A preset may start with a defaults list of other presets (``defaults:
    [india_pakistan_2025, _self_]``): those are merged first, then the file
    itself. The hindcast presets extend the status quo this way, so that a
    preset is data and the calibrated values live in one file.
    """
    if preset in seen:
        raise ConfigError(f"preset {preset!r}: its defaults list extends itself ({' -> '.join(seen + (preset,))})")
    if preset not in presets():
        raise ConfigError(f"preset {seen[-1]!r}: extends unknown preset {preset!r}")
    own = OmegaConf.load(CONFIG_DIR / "preset" / f"{preset}.yaml")
    defaults = list(own.pop("defaults", None) or ["_self_"])
    if "_self_" not in defaults:
        defaults.append("_self_")
    merged = OmegaConf.create({})
    for entry in defaults:
        merged = OmegaConf.merge(merged, own if entry == "_self_" else load_preset(str(entry), seen + (preset,)))
    return merged


_ABSENT = object()


def unknown_key(key: str, schema=None) -> str:
    """One line for a key the schema does not have: the nearest known key, and the keys of its group."""
    import difflib  # noqa: PLC0415

    schema = OmegaConf.structured(schema or RunConfig)
    parts = key.lstrip("+~").split(".")
    group, prefix = schema, []
    for part in parts[:-1]:  # the deepest group that exists
        if not OmegaConf.is_dict(group) or part not in group or not OmegaConf.is_dict(group[part]):
            break
        group, prefix = group[part], [*prefix, part]
    name = parts[len(prefix)]
    known = [str(k) for k in group.keys()]
    where = ".".join(prefix)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"; did you mean {'.'.join([*prefix, close[0]])!r}?" if close else ""
    return f"{key}: unknown key{hint} (the keys{' of ' + where if where else ''}: {', '.join(known)}; all in docs/parameters.md)"


def check_switch(key: str, value) -> None:
    """A switch takes true or false, nothing else (OmegaConf would turn 3 into true)."""
    meta = FIELDS.get(key.lstrip("+~"))
    if meta is not None and meta["kind"] is bool and not isinstance(value, bool):
        raise ConfigError(f"{key} = {value!r}: expected true or false")


def one_line(error: Exception) -> str:
    """OmegaConf and Hydra errors as one line: the key, then the complaint."""
    key = getattr(error, "full_key", None)
    message = str(getattr(error, "msg", None) or error).strip().splitlines()[0]
    return f"{key}: {message}" if key else message


# --------------------------------------------------------------------------- validation


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def check_field(key: str, value, meta: dict) -> str | None:
    lo, hi, kind = meta["lo"], meta["hi"], meta["kind"]
    if kind is bool:
        if not isinstance(value, bool) and value not in (0, 1):
            return f"{key} = {value!r}: expected true or false"
        return None
    allowed = f"a number in [{lo}, {hi}]"
    values = value
    if isinstance(value, (list, tuple)) or OmegaConf.is_list(value):
        values = list(value)
        if not meta["side"] or len(values) != 2:
            what = "one number or a pair [A, B], each" if meta["side"] else "one number,"
            return f"{key} = {list(values)!r}: expected {what} {allowed}"
    else:
        values = [value]
    for v in values:
        if not is_number(v):
            return f"{key} = {value!r}: expected {allowed}" + (" (or a pair [A, B])" if meta["side"] else "")
        if not lo <= v <= hi:
            return f"{key} = {v!r} is outside the allowed range [{lo}, {hi}]"
    return None


def errors(cfg) -> list[str]:
    """Every problem in a composed config, one line each; empty when valid."""
    problems = []
    if cfg.preset not in presets():
        problems.append(f"preset: unknown preset {cfg.preset!r}; choose one of {', '.join(presets())}")
    if cfg.engine not in ENGINES:
        problems.append(f"engine = {cfg.engine!r}: choose one of {', '.join(ENGINES)}")
    for key, lo, hi in (("seed", 0, 2**31 - 1), ("replicates", 1, 10**7), ("days", 1, 10**6)):
        v = cfg[key]
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
            problems.append(f"{key} = {v!r}: expected a whole number in [{lo}, {hi}]")
    pop = cfg.population
    if not 2 <= pop.public <= MAX_PUBLIC:
        problems.append(f"population.public = {pop.public}: expected a whole number in [2, {MAX_PUBLIC}] (citizens per side)")
    if not 1 <= pop.media <= MAX_MEDIA:
        problems.append(f"population.media = {pop.media}: expected a whole number in [1, {MAX_MEDIA}] (outlets per side)")
    if not (pop.neighbours >= 2 and pop.neighbours % 2 == 0):
        problems.append(f"population.neighbours = {pop.neighbours}: expected an even number >= 2 and below population.public")
    elif 2 <= pop.public <= MAX_PUBLIC and pop.neighbours >= pop.public:  # name the value the user most likely set
        if pop.neighbours == Population.neighbours:
            problems.append(
                f"population.public = {pop.public}: expected more citizens than population.neighbours = {pop.neighbours}"
                f" (at least {pop.neighbours + 1}), or a smaller even population.neighbours"
            )
        else:
            problems.append(f"population.neighbours = {pop.neighbours}: expected an even number >= 2 and below population.public = {pop.public}")
    if len(cfg.sides) != 2 or len(set(cfg.sides)) != 2 or not all(str(name).strip() for name in cfg.sides):
        problems.append(f"sides = {list(cfg.sides)!r}: expected two different, non-empty names")
    problems += _scatter_chunk_problems()
    for name, cls in GROUPS.items():
        group = cfg[name]
        for f in dataclasses.fields(cls):
            problem = check_field(f"{name}.{f.name}", group[f.name], f.metadata)
            if problem:
                problems.append(problem)
    if not problems and cfg.dyad.crisis_severity < cfg.dyad.severity_min:
        problems.append(
            f"dyad.crisis_severity = {cfg.dyad.crisis_severity}: expected a number in [dyad.severity_min = {cfg.dyad.severity_min}, 1]"
            " (below it every attack is severe, and the value changes nothing)"
        )
    if not problems and cfg.dyad.evidence_min > cfg.dyad.evidence_max:
        problems.append(f"dyad.evidence_min = {cfg.dyad.evidence_min} exceeds dyad.evidence_max = {cfg.dyad.evidence_max}")
    if len(cfg.events) > MAX_SCRIPTED:
        problems.append(f"events: {len(cfg.events)} scripted attacks; at most {MAX_SCRIPTED} are allowed")
    days_ok = isinstance(cfg.days, int) and cfg.days >= 1  # else the days line says it all
    for i, ev in enumerate(cfg.events):
        if days_ok and not 0 <= ev.day < cfg.days:
            problems.append(f"events[{i}].day = {ev.day}: expected a day in [0, days - 1 = {cfg.days - 1}]")
        if ev.target not in SIDE_NAMES:
            problems.append(f"events[{i}].target = {ev.target!r}: expected A or B")
        for key in ("severity", "evidence"):
            if not (is_number(ev[key]) and 0 <= ev[key] <= 1):
                problems.append(f"events[{i}].{key} = {ev[key]!r}: expected a number in [0, 1]")
        if ev.kind not in EVENT_KINDS:
            problems.append(f"events[{i}].kind = {ev.kind!r}: expected one of {', '.join(EVENT_KINDS)}")
        elif ev.kind == "exercise" and not (isinstance(ev.length, int) and ev.length >= 1):
            problems.append(f"events[{i}].length = {ev.length!r}: an exercise lasts a whole number of days >= 1")
    return problems


FIELDS = {f"{name}.{f.name}": f.metadata for name, cls in GROUPS.items() for f in dataclasses.fields(cls)}


def _scatter_chunk_problems() -> list[str]:
    """The environment's ``REDPHONE_SCATTER_CHUNK``, read when the model is traced, checked before anything runs."""
    from .flat import scatter_chunk  # noqa: PLC0415

    try:
        scatter_chunk()
    except ValueError as error:
        return [str(error)]
    return []


def validate(cfg) -> None:
    problems = errors(cfg)
    if problems:
        raise ConfigError("\n".join(problems))


def build(cfg) -> tuple[Params, Dims]:
    """Validated config -> (parameter pytree, static sizes)."""
    validate(cfg)
    groups = {name: OmegaConf.to_container(cfg[name]) for name in GROUPS}
    events = OmegaConf.to_container(cfg.events)
    dims = Dims(n_public=int(cfg.population.public), n_media=int(cfg.population.media), n_neighbours=int(cfg.population.neighbours))
    return to_params(groups, events), dims


def flat(cfg, prefix: str = "", keep_lists: bool = False) -> dict[str, Any]:
    """Nested config -> {dotted key: value}; lists become strings unless keep_lists (summary columns want scalars)."""
    out = {}
    container = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else cfg
    for key, value in container.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flat(value, f"{name}.", keep_lists))
        elif isinstance(value, list) and not keep_lists:
            out[name] = str(value)
        else:
            out[name] = value
    return out
