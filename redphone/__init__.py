"""redphone: an agent-based model of crisis escalation between two nuclear-armed rivals.

The name to import. ``redphone.model`` is the model package (``model/`` in
the repository): ``from redphone import CrisisModel``, ``from redphone.model
import engine``. An installed wheel holds the model only under this name, so
a user's own ``model.py`` (every Mesa example has one) can never be imported
in its place, nor ours in place of theirs. In a checkout (or an editable
install), ``redphone.model`` and the top-level ``model`` the project's own
scripts and tests import are the same modules, not copies.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from pathlib import Path

__version__ = "0.1.0"
__all__ = ["CrisisModel", "HOME", "__version__"]

_HERE = Path(__file__).resolve().parent
INSTALLED = (_HERE / "model").is_dir()  # a wheel: the model, configs and data lie inside the package
HOME = _HERE if INSTALLED else _HERE.parent  # where model/, configs/, data/, experiments/ and scripts/ lie


class _CheckoutAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """In a checkout, ``redphone.model[.x]`` is the top-level ``model[.x]`` of the repository: one module, two names."""

    def find_spec(self, name, path=None, target=None):
        if name == "redphone.model" or name.startswith("redphone.model."):
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        module = importlib.import_module("model" + spec.name[len("redphone.model"):])
        self._spec = module.__spec__  # the import system sets the alias's spec on the module: put its own back
        return module

    def exec_module(self, module):
        module.__spec__ = self._spec  # already executed under its first name


if not INSTALLED and not any(isinstance(f, _CheckoutAlias) for f in sys.meta_path):
    if str(HOME) not in sys.path:
        sys.path.insert(0, str(HOME))
    sys.meta_path.insert(0, _CheckoutAlias())


def __getattr__(name):
    if name == "CrisisModel":
        from redphone.model.mesa_model import CrisisModel  # noqa: PLC0415 (Mesa loads only when asked for)

        return CrisisModel
    raise AttributeError(name)
