"""redphone: an agent-based model of crisis escalation between two nuclear-armed rivals.

The one name to import: ``from redphone import CrisisModel``, ``from
redphone.model import engine``, ``from redphone.model.lab import measures``.
The package holds the model (``redphone/model``: the core, and ``lab/``
around it), the dashboard, the paper's figures (``redphone/experiments``) and
the bench's peers (``redphone/benchmarks``). A checkout is installed
editable (``make venv``); nothing edits ``sys.path`` and no import hook maps
a second name.

``HOME`` is the folder that holds ``configs/``, ``data/``, ``posteriors/``
and ``scripts/``: the repository root in a checkout, this package's folder
in an installed wheel.
"""

from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"
__all__ = ["CrisisModel", "HOME", "__version__"]

_HERE = Path(__file__).resolve().parent
INSTALLED = (_HERE / "configs").is_dir()  # a wheel: configs, data and posteriors lie inside the package
HOME = _HERE if INSTALLED else _HERE.parent


def __getattr__(name):
    if name == "CrisisModel":
        from redphone.model.mesa_model import CrisisModel  # noqa: PLC0415 (Mesa loads only when asked for)

        return CrisisModel
    raise AttributeError(name)
