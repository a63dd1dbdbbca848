"""The neural posterior's network: one masked autoregressive flow (sbijax), shared by the calibration that trains it
(``inference``) and the posterior SBC that reads its density (``sbc``)."""

from __future__ import annotations


def network(dim: int):
    from sbijax.nn import make_maf  # noqa: PLC0415

    return make_maf(dim, n_layers=5, hidden_sizes=(64, 64))
