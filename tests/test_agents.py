"""The Mesa agents as a Mesa user meets them: activated through AgentSet, readable, extensible."""

import numpy as np
import pytest

from redphone.model import CrisisModel
from redphone.model.agents import MediaSector, MilitarySector, PoliticalSector, PublicSector

SMALL = dict(n_public=300, n_media=6)

pytestmark = pytest.mark.xdist_group("agents")  # the module's run, made once (pytest-xdist)


@pytest.fixture(scope="module")
def model():
    m = CrisisModel(rng=3, **SMALL)
    m.run_for(4)
    return m


def test_views_read_each_side_of_the_state(model):
    public = {a.side: a for a in model.agents_by_type[PublicSector]}
    for side, agent in public.items():
        np.testing.assert_array_equal(agent.hostility, np.asarray(model.state.public.hostility[side]))
        assert agent.hostility.shape == (300,)
        assert agent.mean_hostility == pytest.approx(float(agent.hostility.mean()), abs=1e-5)
        assert agent.mean_hostility == pytest.approx(model.latest["hostility_mean"][side])
    assert public[0].mean_hostility != public[1].mean_hostility
    media = model.agents_by_type[MediaSector].select(lambda a: a.side == 1).to_list()[0]
    assert media.slant.shape == (6,) and 0 <= media.slant.min() <= media.slant.max() <= 1
    political = model.agents_by_type[PoliticalSector].select(lambda a: a.side == 0).to_list()[0]
    assert political.approval == pytest.approx(model.latest["approval"][0])
    assert political.belief == pytest.approx(model.latest["belief"][0])
    assert political.rung == model.latest["rung"][0]
    military = model.agents_by_type[MilitarySector].select(lambda a: a.side == 0).to_list()[0]
    np.testing.assert_allclose(military.readiness, model.latest["readiness"][0])


def test_views_are_read_only_and_every_state_field_is_readable(model):
    agent = model.agents_by_type[PublicSector].to_list()[0]
    with pytest.raises(AttributeError, match="read-only"):
        agent.hostility = np.zeros(300)
    with pytest.raises(ValueError):
        agent.hostility[0] = 1.0
    assert {"hostility", "mean_hostility", "baseline", "followers"} <= set(agent.views())
    np.testing.assert_array_equal(agent.baseline, np.asarray(model.state.public.baseline[0]))  # a raw field, no View declared
    with pytest.raises(AttributeError):
        agent.no_such_field


def test_repr_says_what_the_agent_is(model):
    texts = [repr(a) for a in model.agents]
    assert len(texts) == 8
    assert "PublicSector India after 4 days" in texts[1] and "mean hostility" in texts[1]
    assert "rung" in repr(model.agents_by_type[PoliticalSector].to_list()[0])


def test_default_activation_calls_each_agents_step():
    """A subclass wrapping step sees every call: the default goes through AgentSet, one agent per side."""
    calls = []

    class CountedPublic(PublicSector):
        def step(self):
            calls.append((self.model.day, self.side))
            super().step()

    class Counted(CrisisModel):
        agent_classes = (MediaSector, CountedPublic, MilitarySector, PoliticalSector)

    m = Counted(rng=3, **SMALL)
    m.run_for(3)
    assert calls == [(d, s) for d in range(3) for s in (0, 1)]
    plain = CrisisModel(rng=3, **SMALL)
    plain.run_for(3)
    np.testing.assert_array_equal(m.daily()["hostility_mean"], plain.daily()["hostility_mean"])


def test_a_subclass_can_replace_a_kernel():
    class FrozenPublic(PublicSector):
        def step(self):  # citizens never change their minds
            pass

    class Frozen(CrisisModel):
        agent_classes = (MediaSector, FrozenPublic, MilitarySector, PoliticalSector)

    m = Frozen(rng=3, **SMALL)
    before = [a.hostility for a in m.agents_by_type[FrozenPublic]]
    m.run_for(3)
    for agent, was in zip(m.agents_by_type[FrozenPublic], before):
        np.testing.assert_array_equal(agent.hostility, was)
    with pytest.raises(ValueError, match="activation='sector'"):
        Frozen(rng=3, activation="sector", **SMALL)


def test_a_subclass_may_hold_the_state_across_its_step():
    """The state read before ``super().step()`` (or after it, kept to the next phase) is still there: the phase
    donates the arrays only after copying what a reader may hold (it found them deleted: issue 22)."""
    seen = []

    class Watching(PublicSector):
        def step(self):
            before = self.model.state  # the whole state, as a Mesa user reads it
            super().step()
            after = self.model.state
            seen.append((float(before.public.hostility[self.side].mean()), float(after.public.hostility[self.side].mean())))
            self.kept = after  # held into the next phase (military), which donates its own arrays

    class Watched(CrisisModel):
        agent_classes = (MediaSector, Watching, MilitarySector, PoliticalSector)

    m = Watched(rng=3, **SMALL)
    m.run_for(3)
    assert len(seen) == 6 and all(np.isfinite(seen).ravel())
    for agent in m.agents_by_type[Watching]:
        assert np.isfinite(float(agent.kept.military.readiness[agent.side]))
    plain = CrisisModel(rng=3, **SMALL)
    plain.run_for(3)
    np.testing.assert_array_equal(m.daily()["hostility_mean"], plain.daily()["hostility_mean"])
