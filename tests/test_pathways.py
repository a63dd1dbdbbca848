"""No single assumed number carries most of a channel's effect (issue 20), and `make pathways` reports the shares.

At the posterior median (the status quo preset holds it), each channel's effect on P(peak rung >= 4) is measured
with every pathway, then with each pathway knocked out (set to 0), on the same replicates. The hotline's effect
once came 97% from one assumed rescind probability; now each pathway's share must stay at or below one half.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from redphone.model.lab import pathways

ROOT = Path(__file__).resolve().parent.parent
SCALE = pathways.Scale(replicates=400, population=100)


@pytest.fixture(scope="module")
def outcomes():
    return {inst: pathways.measure(pathways.settings(inst, pathways.MARGIN), SCALE) for inst in pathways.INSTITUTIONS}


@pytest.mark.parametrize("institution", list(pathways.INSTITUTIONS))
def test_no_single_parameter_carries_most_of_a_channels_effect(outcomes, institution):
    """Where the decision is at the margin (a first strike without precedent), on P(peak rung >= 4): each share <= 1/2."""
    rows = pathways.shares(outcomes[institution], institution, "p_rung4", pathways.MARGIN)
    print("\n" + pathways.markdown(rows, SCALE.replicates))
    effect = rows[0]["effect"]
    assert effect < -0.05, f"{institution}: no effect to share ({effect:+.3f})"
    for row in rows:
        # a share is a ratio of two paired differences: at this size its 90% interval is about +-0.15 wide, so the test
        # fails when the share is above one half beyond that noise (the old rescind coin's 0.97 would)
        assert row["share_low"] <= 0.5, f"{institution}: {row['parameter']} carries {row['share']:.2f} [{row['share_low']:.2f}, {row['share_high']:.2f}] of the effect"


def test_shares_are_the_knock_out_losses():
    """On hand-made outcomes: an effect of -0.4, of which knocking out one pathway leaves -0.1 (share 0.75)."""
    n = 100
    yes = lambda k: np.arange(n) < k  # noqa: E731
    outcomes = {"without": dict(p_rung4=yes(60)), "with": dict(p_rung4=yes(20))}
    inst = "backchannel"
    for key in pathways.INSTITUTIONS[inst][2]:
        outcomes[f"with, {key} = 0"] = dict(p_rung4=yes(50 if key == "backchannel.delay" else 20))
    rows = {r["parameter"]: r for r in pathways.shares(outcomes, inst, "p_rung4")}
    assert rows["backchannel.delay"]["share"] == pytest.approx(0.75)
    assert rows["backchannel.reassurance"]["share"] == pytest.approx(0.0)
    assert rows["backchannel.delay"]["effect"] == pytest.approx(-0.4)


def test_the_share_test_can_fail():
    """A pathway that carries the whole effect (as the old rescind probability did) is flagged: lower bound > 1/2."""
    rng = np.random.default_rng(1)
    n = 400
    u = rng.uniform(size=n)
    outcomes = {"without": dict(p_rung4=u < 0.6), "with": dict(p_rung4=u < 0.2)}
    inst = "automatic hotline"
    for key in pathways.INSTITUTIONS[inst][2]:
        outcomes[f"with, {key} = 0"] = dict(p_rung4=u < (0.58 if key == "hotline.delay" else 0.2))
    rows = {r["parameter"]: r for r in pathways.shares(outcomes, inst)}
    assert rows["hotline.delay"]["share_low"] > 0.5
    assert rows["hotline.clarity"]["share_low"] <= 0.5


def test_make_pathways_quick_writes_its_tables():
    """The command a user types: make pathways QUICK=1 (200 replicates into figures/quick)."""
    run = subprocess.run(["make", "--no-print-directory", "pathways", "QUICK=1"], cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stdout + run.stderr
    text = (ROOT / "figures" / "quick" / "pathways.md").read_text()
    assert "share of the effect" in text and "Full war as a choice" in text
    for inst in pathways.INSTITUTIONS:
        assert inst in text
