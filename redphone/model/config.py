"""Configuration: the typed schema, presets, validation, and the step to arrays.

Data flows one way: a config (Hydra's, or one composed here for
``CrisisModel``) is validated once at the boundary, then turned into the
``Params`` pytree and the static ``Dims``. Every problem is reported as one
line naming the key and what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from .. import HOME
from .params import GROUPS, MAX_SCRIPTED, SIDE_NAMES, Dims, Params, ScriptedAttack, to_params

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
class Batch:
    chunk: int = 0  # runs (one replicate of one setting) fetched from the devices at a time; 0: all (or as many as memory_gb allows)
    block: int = 8  # runs vmapped together per device in one compiled call; numbers are bit-identical across chunk, memory_gb and devices at one block
    memory_gb: float = 0.0  # device memory budget per device for one compiled call; 0: no budget
    devices: int = 0  # devices the replicates are sharded across; 0: all visible devices, 1: no sharding


@dataclass
class JaxRuntime:
    """How JAX runs in this process: settings that never change a result."""

    # persistent compilation cache shared by every job of a sweep; "" turns it off
    compilation_cache_dir: str = "${oc.env:JAX_COMPILATION_CACHE_DIR,${oc.env:HOME,/tmp}/.cache/redphone/jax}"
    cache_min_compile_secs: float = 0.5  # cache only compilations slower than this
    preallocate: bool = False  # False: each process allocates GPU memory as it needs it (parallel jobs share a GPU)
    memory_fraction: float = 0.0  # with preallocate: share of GPU memory to reserve; 0: JAX's default


@dataclass
class PosteriorDraws:
    """Parameters drawn from a posterior file (``make calibrate``; ``+posterior=status_quo``): one draw per replicate."""

    file: str = ""  # an ArviZ posterior (posteriors/status_quo.nc); "": the preset's values, no parameter uncertainty
    first: int = 0  # replicate r of every setting takes draw first + r (modulo the draws in the file)


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
    batch: Batch = field(default_factory=Batch)
    jax: JaxRuntime = field(default_factory=JaxRuntime)
    posterior: PosteriorDraws = field(default_factory=PosteriorDraws)
    # in-job sweep axes: {"track2.reach": [0.0, 0.05, 0.1], ...}; every combination runs in one compiled call
    grid: dict[str, Any] = field(default_factory=dict)


# The schema of the Hydra app's config and of CrisisModel's parameters: the run
# settings plus one typed group per parameter group of model/params.py.
RunConfig = dataclasses.make_dataclass(
    "RunConfig",
    [(name, cls, field(default_factory=cls)) for name, cls in GROUPS.items()],
    bases=(RunSettings,),
)


def presets() -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / "preset").glob("*.yaml"))


def register() -> None:
    """Put the schema into Hydra's ConfigStore (the app's `base_config`)."""
    from hydra.core.config_store import ConfigStore  # noqa: PLC0415

    ConfigStore.instance().store(name="base_config", node=RunConfig)


def compose(preset: str = "india_pakistan_2025", overrides: dict | None = None) -> DictConfig:
    """Schema defaults, then the preset's file, then dotted-key overrides: what Hydra composes, without Hydra."""
    if preset not in presets():
        raise ConfigError(f"preset: unknown preset {preset!r}; choose one of {', '.join(presets())}")
    cfg = OmegaConf.structured(RunConfig)
    for key, value in (overrides or {}).items():
        check_switch(key, value)
    try:
        cfg = OmegaConf.merge(cfg, load_preset(preset))
        for key, value in (overrides or {}).items():
            if OmegaConf.select(cfg, key, default=_ABSENT) is _ABSENT and not key.startswith("grid"):
                raise ConfigError(unknown_key(key))
            OmegaConf.update(cfg, key, value, merge=True, force_add=False)
    except ConfigError:
        raise
    except Exception as error:  # omegaconf's errors carry several lines; keep one
        raise ConfigError(one_line(error)) from None
    return cfg


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


def unknown_key(key: str) -> str:
    """One line for a key the schema does not have: the nearest known key, and the keys of its group."""
    import difflib  # noqa: PLC0415

    schema = OmegaConf.structured(RunConfig)
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


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _check_field(key: str, value, meta: dict) -> str | None:
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
        if not _is_number(v):
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
    if cfg.batch.chunk < 0:
        problems.append(f"batch.chunk = {cfg.batch.chunk}: expected 0 (all at once) or a positive number of runs")
    if not 1 <= cfg.batch.block <= 10**6:
        problems.append(f"batch.block = {cfg.batch.block}: expected a whole number of runs in [1, 1000000]")
    if not (_is_number(cfg.batch.memory_gb) and 0 <= cfg.batch.memory_gb <= 1e6):
        problems.append(f"batch.memory_gb = {cfg.batch.memory_gb!r}: expected 0 (no budget) or a number of GB in (0, 1e6]")
    if not 0 <= cfg.batch.devices <= 4096:
        problems.append(f"batch.devices = {cfg.batch.devices}: expected 0 (all visible devices) or a number of devices in [1, 4096]")
    if not (_is_number(cfg.jax.memory_fraction) and 0 <= cfg.jax.memory_fraction <= 1):
        problems.append(f"jax.memory_fraction = {cfg.jax.memory_fraction!r}: expected a number in [0, 1] (0: JAX's default)")
    if not (_is_number(cfg.jax.cache_min_compile_secs) and cfg.jax.cache_min_compile_secs >= 0):
        problems.append(f"jax.cache_min_compile_secs = {cfg.jax.cache_min_compile_secs!r}: expected a number of seconds >= 0")
    if len(cfg.sides) != 2 or len(set(cfg.sides)) != 2 or not all(str(name).strip() for name in cfg.sides):
        problems.append(f"sides = {list(cfg.sides)!r}: expected two different, non-empty names")
    problems += _cache_dir_problems(cfg)
    problems += _posterior_problems(cfg)
    problems += _scatter_chunk_problems()
    for name, cls in GROUPS.items():
        group = cfg[name]
        for f in dataclasses.fields(cls):
            problem = _check_field(f"{name}.{f.name}", group[f.name], f.metadata)
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
            if not (_is_number(ev[key]) and 0 <= ev[key] <= 1):
                problems.append(f"events[{i}].{key} = {ev[key]!r}: expected a number in [0, 1]")
    for key, values in grid_axes(cfg):
        meta = FIELDS.get(key)
        if meta is None:
            problems.append(f"grid.{key}: not a numeric model parameter (a grid axis takes e.g. track2.reach or media.slant)")
            continue
        if not isinstance(values, list) or not values:
            problems.append(f"grid.{key} = {values!r}: expected a non-empty list of values")
            continue
        for v in values:
            problem = _check_field(f"grid.{key}", v, meta)
            if problem:
                problems.append(problem)
    return problems


def _cache_dir_problems(cfg) -> list[str]:
    """``jax.compilation_cache_dir`` must be a folder this process can create and write (or "" for none)."""
    import os  # noqa: PLC0415

    try:
        folder = str(cfg.jax.compilation_cache_dir or "")
    except Exception as error:  # an interpolation that does not resolve
        return [f"jax.compilation_cache_dir: {one_line(error)}"]
    if not folder:
        return []
    path = Path(folder).expanduser()
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        return [f"jax.compilation_cache_dir = {folder!r}: not a folder this process can write; give another, or '' to turn the cache off"]
    return []


FIELDS = {f"{name}.{f.name}": f.metadata for name, cls in GROUPS.items() for f in dataclasses.fields(cls)}


def grid_axes(cfg) -> list[tuple[str, list]]:
    """The in-job sweep axes as (dotted key, values), in a fixed order; nested keys are flattened."""
    grid = cfg.get("grid") or {}
    container = OmegaConf.to_container(grid, resolve=True) if not isinstance(grid, dict) else grid
    return list(flat(container, keep_lists=True).items())


def settings(cfg) -> list[tuple[dict, DictConfig]]:
    """Each combination of the grid's values, as (its values by key, the config with them set)."""
    import itertools  # noqa: PLC0415

    axes = grid_axes(cfg)
    out = []
    for combo in itertools.product(*(values for _, values in axes)) if axes else [()]:
        point = {key: value for (key, _), value in zip(axes, combo)}
        one = OmegaConf.merge(cfg, {})
        for key, value in point.items():
            OmegaConf.update(one, key, value, merge=True)
        out.append((point, one))
    return out


def posterior_path(file) -> Path:
    """A posterior file as given (absolute, or relative to the working directory), else relative to the project."""
    p = Path(file)
    if p.is_absolute() or p.exists():
        return p
    return CONFIG_DIR.parent / p


def _scatter_chunk_problems() -> list[str]:
    """The environment's ``REDPHONE_SCATTER_CHUNK``, read when the model is traced, checked before anything runs."""
    from .flat import scatter_chunk  # noqa: PLC0415

    try:
        scatter_chunk()
    except ValueError as error:
        return [str(error)]
    return []


def _posterior_problems(cfg) -> list[str]:
    post = cfg.get("posterior")
    if post is None or not post.file:
        return []
    problems = []
    if not posterior_path(post.file).is_file():
        problems.append(f"posterior.file = {post.file!r}: no such file (make calibrate writes posteriors/status_quo.nc)")
    if not isinstance(post.first, int) or isinstance(post.first, bool) or post.first < 0:
        problems.append(f"posterior.first = {post.first!r}: expected a whole number >= 0 (the first draw used)")
    if cfg.engine != "jax":
        problems.append(f"posterior.file = {post.file!r}: parameter draws need engine=jax (engine = {cfg.engine!r})")
    return problems


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
