"""Check a Hydra command line before Hydra runs it: one line per problem.

Every override is composed with Hydra's own compose API and validated, each
value of a sweep (``a=1,2,3``, ``range(...)``) included, so that a sweep with
one bad value stops before its first job rather than failing in the middle.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..config import CONFIG_DIR, ConfigError, check_switch, one_line
from .schema import errors, unknown_key

# Hydra flags that take a value: the value is not an override
FLAGS_WITH_VALUE = {"-cn", "--config-name", "-cp", "--config-path", "-cd", "--config-dir", "-c", "--cfg", "-p", "--package", "--experimental-rerun"}
INFO_FLAGS = {"-h", "--help", "--hydra-help", "-i", "--info", "--shell-completion", "-sc", "--version"}


def overrides_of(argv: list[str]) -> list[str] | None:
    """The override strings of a command line; None when it asks Hydra for help or information."""
    found, skip = [], False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in INFO_FLAGS:
            return None
        if arg in FLAGS_WITH_VALUE:
            skip = True
            continue
        if arg.startswith("-"):
            continue
        found.append(arg)
    return found


def _explain(error: Exception) -> str:
    text = str(error)
    missing = re.search(r"Could not find '([\w-]+)/([^']+)'", text)
    if missing:
        group, name = missing.groups()
        options = sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))
        return f"{group}: unknown {group} {name!r}; choose one of {', '.join(options)}"
    cause = error
    while cause.__cause__ is not None:
        cause = cause.__cause__
    if "not in struct" in text or "not in struct" in str(cause) or re.search(r"Key '[^']+' not in '", str(cause)):
        key = getattr(cause, "full_key", None) or re.search(r"override '([^']+)'", text).group(1)
        return unknown_key(key)
    return one_line(cause)


def output_dir_problems(overrides: list[str], cwd: Path | None = None) -> list[str]:
    """One line per output folder (``hydra.run.dir``, ``hydra.sweep.dir``) this process could not create or write."""
    import os  # noqa: PLC0415

    cwd = Path(cwd or Path.cwd())
    given = {key: value for key, _, value in (o.partition("=") for o in overrides) if key.lstrip("+") in ("hydra.run.dir", "hydra.sweep.dir")}
    problems = []
    for key, default in (("hydra.run.dir", "outputs"), ("hydra.sweep.dir", "multirun")):
        value = given.get(key, given.get(f"+{key}", default))
        fixed = value.split("${", 1)[0] or "."  # the part before the first interpolation (a timestamp)
        path = cwd / Path(fixed).expanduser()
        existing = next((p for p in (path, *path.parents) if p.exists()), None)
        if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            where = f"{existing} is not a writable folder" if existing is not None else "no part of it exists"
            problems.append(f"{key} = {value!r}: cannot write there ({where}); give a folder this user can write")
    return problems


def check_command_line(argv: list[str]) -> None:
    """Raise ConfigError (one line per problem) if any override, or any value of a sweep, is invalid."""
    overrides = overrides_of(argv)
    if overrides is None:
        return
    from hydra import compose, initialize_config_dir  # noqa: PLC0415
    from hydra.core.global_hydra import GlobalHydra  # noqa: PLC0415
    from hydra.core.override_parser.overrides_parser import OverridesParser  # noqa: PLC0415

    from .schema import register  # noqa: PLC0415

    register()
    parser = OverridesParser.create()
    try:
        parsed = parser.parse_overrides(overrides)
    except Exception as error:  # a syntax error in an override
        raise ConfigError(one_line(error)) from None

    choices = []  # per override: the value strings to try
    for ov in parsed:
        key = ov.get_key_element()
        if ov.get_key_element().lstrip("+~").startswith("hydra"):
            continue
        if ov.is_sweep_override():
            try:
                values = list(ov.sweep_string_iterator())
                parsed_values = list(ov.sweep_iterator())
            except Exception:  # interval() and other sweeps that only a sweeper expands
                continue
        else:
            values, parsed_values = [ov.get_value_element_as_str()], [ov.value()]
        for value in parsed_values:
            check_switch(key, value)
        choices.append((key, values))

    GlobalHydra.instance().clear()
    problems: list[str] = []
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        base = [f"{key}={values[0]}" for key, values in choices]
        trials = [base]
        for i, (key, values) in enumerate(choices):
            trials += [base[:i] + [f"{key}={v}"] + base[i + 1 :] for v in values[1:]]
        for trial in trials:
            try:
                cfg = compose(config_name="config", overrides=trial)
            except Exception as error:
                problems.append(_explain(error))
                continue
            problems += errors(cfg)
    GlobalHydra.instance().clear()
    multirun = any(arg in ("-m", "--multirun") for arg in argv)
    problems += [p for p in output_dir_problems(overrides) if p.startswith("hydra.sweep.dir" if multirun else "hydra.run.dir")]
    if problems:
        raise ConfigError("\n".join(dict.fromkeys(problems)))
