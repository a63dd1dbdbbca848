"""The lab's run settings: what the Hydra app adds to the core's config (``batch``, ``jax``, ``posterior``, ``grid``).

How a run is batched across devices, how JAX runs in the process, which
posterior draws replace the preset's parameters, and the in-job sweep axes
are the lab's, not the model's: ``CrisisModel`` never reads them. The core
(``redphone.model.config``) defines the model's schema and the one composer;
this module adds these groups to it (``RunConfig``), checks them
(``errors``: one line per problem, naming the key and what is allowed) and
registers the whole schema with Hydra. Nothing here imports JAX.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from .. import config
from ..config import CONFIG_DIR, FIELDS, ConfigError, check_field, is_number, flat, one_line

PRESET = "india_pakistan_2025"


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
class LabSettings:
    """The lab's groups of a run's config."""

    batch: Batch = field(default_factory=Batch)
    jax: JaxRuntime = field(default_factory=JaxRuntime)
    posterior: PosteriorDraws = field(default_factory=PosteriorDraws)
    # in-job sweep axes: {"track2.reach": [0.0, 0.05, 0.1], ...}; every combination runs in one compiled call
    grid: dict[str, Any] = field(default_factory=dict)


# The Hydra app's schema: the core's RunConfig (run settings and parameter groups) and the lab's groups
RunConfig = dataclasses.make_dataclass(
    "RunConfig", [(f.name, f.type, f) for f in dataclasses.fields(LabSettings)], bases=(config.RunConfig,),
)


def register() -> None:
    """Put the schema into Hydra's ConfigStore (the app's `base_config`)."""
    from hydra.core.config_store import ConfigStore  # noqa: PLC0415

    ConfigStore.instance().store(name="base_config", node=RunConfig)


def compose(preset: str = PRESET, overrides: dict | None = None) -> DictConfig:
    """The core's composer with the lab's schema: what the Hydra app composes, without Hydra."""
    return config.compose(preset, overrides, schema=RunConfig)


def unknown_key(key: str) -> str:
    return config.unknown_key(key, RunConfig)


def errors(cfg) -> list[str]:
    """Every problem in a composed run config, the core's and the lab's, one line each; empty when valid."""
    problems = config.errors(cfg)
    if cfg.batch.chunk < 0:
        problems.append(f"batch.chunk = {cfg.batch.chunk}: expected 0 (all at once) or a positive number of runs")
    if not 1 <= cfg.batch.block <= 10**6:
        problems.append(f"batch.block = {cfg.batch.block}: expected a whole number of runs in [1, 1000000]")
    if not (is_number(cfg.batch.memory_gb) and 0 <= cfg.batch.memory_gb <= 1e6):
        problems.append(f"batch.memory_gb = {cfg.batch.memory_gb!r}: expected 0 (no budget) or a number of GB in (0, 1e6]")
    if not 0 <= cfg.batch.devices <= 4096:
        problems.append(f"batch.devices = {cfg.batch.devices}: expected 0 (all visible devices) or a number of devices in [1, 4096]")
    if not (is_number(cfg.jax.memory_fraction) and 0 <= cfg.jax.memory_fraction <= 1):
        problems.append(f"jax.memory_fraction = {cfg.jax.memory_fraction!r}: expected a number in [0, 1] (0: JAX's default)")
    if not (is_number(cfg.jax.cache_min_compile_secs) and cfg.jax.cache_min_compile_secs >= 0):
        problems.append(f"jax.cache_min_compile_secs = {cfg.jax.cache_min_compile_secs!r}: expected a number of seconds >= 0")
    problems += _cache_dir_problems(cfg)
    problems += _posterior_problems(cfg)
    for key, values in grid_axes(cfg):
        meta = FIELDS.get(key)
        if meta is None:
            problems.append(f"grid.{key}: not a numeric model parameter (a grid axis takes e.g. track2.reach or media.slant)")
            continue
        if not isinstance(values, list) or not values:
            problems.append(f"grid.{key} = {values!r}: expected a non-empty list of values")
            continue
        for v in values:
            problem = check_field(f"grid.{key}", v, meta)
            if problem:
                problems.append(problem)
    return problems


def validate(cfg) -> None:
    problems = errors(cfg)
    if problems:
        raise ConfigError("\n".join(problems))


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
