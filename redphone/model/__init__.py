"""redphone: an agent-based model of crisis escalation between two nuclear-armed rivals.

``model.CrisisModel`` is the Mesa model; ``model.engine`` the batched JAX engine;
both run the same sector kernels (``model.sectors``) and dyad (``model.dyad``).
"""

__all__ = ["CrisisModel"]


def __getattr__(name):
    if name == "CrisisModel":
        from .mesa_model import CrisisModel  # noqa: PLC0415 (Mesa loads only when asked for)

        return CrisisModel
    raise AttributeError(name)
