"""Model v2's four fixes, the planning-time distribution, and an independent reference for the leader's choice."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from redphone.model import dyad, engine
from redphone.model.config import build, compose
from redphone.model.params import N_RUNGS
from redphone.model.sectors import media, political, public
from redphone.model.state import take_side

SMALL = {"population.public": 100, "population.media": 4}


def _state(preset="pahalgam_2025", days=12, over=None, **switches):
    params, dims = build(compose(preset, {**SMALL, **(over or {}), **switches}))
    init_key, time_key = engine.replicate_keys(3, 1)
    state = engine.init(init_key, params, dims)
    for _ in range(days):
        state = engine.day_step(time_key, state, params, dims)
    return params, dims, time_key, state


# --------------------------------------------------------------------------- no key used twice


def _key_uses(fn, *args) -> list[int]:
    """How many top-level operations of fn's program read each PRNG key that enters or is made in it."""
    jaxpr = jax.make_jaxpr(fn)(*args).jaxpr
    is_key = lambda v: hasattr(v, "aval") and jax.dtypes.issubdtype(getattr(v.aval, "dtype", None), jax.dtypes.prng_key)  # noqa: E731
    keys = [v for v in jaxpr.invars if is_key(v)] + [v for eqn in jaxpr.eqns for v in eqn.outvars if is_key(v)]
    slicing = {"slice", "squeeze", "reshape", "dynamic_slice", "gather", "broadcast_in_dim", "concatenate"}
    counts = []
    for key in keys:
        if getattr(key.aval, "shape", ()) != ():
            continue  # an array of keys (a split's output) is only sliced; its slices are checked one by one
        counts.append(sum(1 for eqn in jaxpr.eqns if eqn.primitive.name not in slicing and any(v is key for v in eqn.invars)))
    return counts


@pytest.mark.parametrize("kernel", ["open_day", "resolve", "political", "election", "public", "media"])
def test_no_key_is_used_twice(kernel):
    params, dims, _, state = _state(days=3)
    key = jax.random.key(5)
    fns = dict(
        open_day=lambda k, s: dyad.open_day(k, s, params),
        resolve=lambda k, s: dyad.resolve(k, s, params),
        political=lambda k, s: political.step(k, take_side(s.political, 0), s, params, dims, 0),
        election=lambda k, s: political.election(k, take_side(s.political, 0), s, params, dims, 0),
        public=lambda k, s: public.step(k, take_side(s.public, 0), s, params, dims, 0),
        media=lambda k, s: media.step(k, take_side(s.media, 0), s, params, dims, 0),
    )
    uses = _key_uses(fns[kernel], key, state)
    assert uses and max(uses) <= 1, uses


def test_the_key_check_catches_a_reused_key():
    def reuses(k):
        return jax.random.split(k, 3), jax.random.uniform(jax.random.fold_in(k, 1))

    assert max(_key_uses(reuses, jax.random.key(0))) == 2


# --------------------------------------------------------------------------- a created institution acts as if switched on


def test_a_created_institution_acts_exactly_as_if_switched_on():
    on = {"institutions.hotline": True, "institutions.backchannel": True, "institutions.cbm": True}
    params_on, dims, time_key, state = _state(days=10, **on)
    params_off, _ = build(compose("pahalgam_2025", SMALL))
    assert np.all(np.asarray(state.dyad.established) == 1.0)  # what a post-crisis window leaves behind
    for _ in range(15):
        a = engine.day_step(time_key, state, params_on, dims)
        b = engine.day_step(time_key, state, params_off, dims)
        for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
        state = a


# --------------------------------------------------------------------------- one definition of a crisis episode


def test_an_attack_after_a_long_calm_opens_a_crisis_that_does_not_end_the_same_day():
    params, dims, time_key, state = _state(preset="long_run", days=0, over={"events": [], "days": 800})
    d = dataclasses.replace(state.dyad, calm_days=jnp.int32(700), day=jnp.int32(700))
    state = dataclasses.replace(state, dyad=d)
    state = dyad.inject_attack(state, 0, jnp.float32(0.9), jnp.float32(0.9))
    after = engine.day_step(time_key, state, params, dims)
    assert float(after.dyad.in_crisis) == 1.0 and int(after.dyad.n_opened) == 1


def test_summary_crises_are_the_episodes_that_reached_level_2():
    params, dims = build(compose("long_run", {**SMALL, "dyad.attack_rate": [3.0, 1.0]}))
    days = 3 * 365
    daily, summary = jax.device_get(engine.simulate(2, 6, params, dims, days))
    for r in range(6):
        level, flag = daily["crisis_level"][r], daily["in_crisis"][r] > 0.5
        edges = np.flatnonzero(np.diff(np.concatenate([[0], flag.astype(int), [0]])))
        segments = list(zip(edges[::2], edges[1::2]))
        # an episode that opens on a severe attack and escalates the same day shows from its first day
        counted = sum(level[a:b].max() >= 2 for a, b in segments)
        assert summary["crises"][r] == counted
        assert counted > 0


# --------------------------------------------------------------------------- rationality 0


def test_rationality_zero_is_a_uniform_choice_among_reachable_rungs():
    params, dims, _, state = _state(days=5, **{"political.rationality": 0.0})
    pol = take_side(state.political, 0)
    pressure = political.domestic_pressure(state, params, 0, pol)
    logits = political.choice_logits(state, params, 0, pol, pressure)
    reach = np.asarray(political.reachable(state, 0))
    probs = np.asarray(jax.nn.softmax(logits))
    np.testing.assert_allclose(probs[reach], 1.0 / reach.sum(), rtol=1e-6)
    assert np.all(probs[~reach] == 0.0) and not reach[6]


def test_rationality_zero_never_jumps_to_an_unreachable_rung():
    params, dims = build(compose("pahalgam_2025", {**SMALL, "political.rationality": 0.0}))
    daily, _ = jax.device_get(engine.simulate(0, 20, params, dims, 30))
    rung = daily["rung"]
    assert np.all(np.diff(rung, axis=1) <= 2)  # at most two rungs a day
    for r in range(rung.shape[0]):
        for t in np.flatnonzero(rung[r, 1:].max(axis=1) == 6):
            assert rung[r, t].max() >= 5  # rung 6 only from a crisis level of 5


# --------------------------------------------------------------------------- planning time


@pytest.mark.parametrize("mean, cv", [(14.0, 0.35), (2.0, 0.5), (20.0, 1.0)])
def test_planning_time_has_the_set_mean_and_dispersion(mean, cv):
    keys = jax.random.split(jax.random.key(11), 40_000)
    t = np.asarray(jax.vmap(lambda k: political.planning_time(k, mean, cv))(keys))
    assert abs(t.mean() / mean - 1.0) < 0.02
    assert abs(t.std() / t.mean() / cv - 1.0) < 0.03
    if cv < 1:  # not geometric: few strikes in the first days
        assert np.mean(t < mean / 4) < 0.05


# --------------------------------------------------------------------------- an independent reference for the choice


def reference_utilities(state, params, side: int) -> np.ndarray:
    """The leader's utilities written out again, rung by rung, in plain Python (the ODD's equations)."""
    g = lambda x: np.asarray(x, np.float64)  # noqa: E731
    d, pp, pol = state.dyad, params.political, state.political
    rival = 1 - side
    r, r_rival = int(d.rung[side]), int(d.rung[rival])
    level = max(int(d.rung[0]), int(d.rung[1]))
    hostility = float(state.public.mean[side])
    approval, commitment, belief = float(pol.approval[side]), float(pol.commitment[side]), float(pol.belief[side])
    hawk = g(pol.hawkishness[side])
    private = max(float(d.hotline_call) * float(params.hotline.private_climbdown), float(d.envoys_at_work) * float(params.backchannel.audience_cut))
    # the rival's force as far as it is felt: none against intruders on its own side, 1 - limited of a strike on territory
    if float(d.occupied[rival]) > 0 and r_rival == 3:
        felt = 0.0
    elif r_rival == 4:
        felt = 1.0 - float(params.operation.limited[rival])
    else:
        felt = 1.0
    grievance = max(float(d.provocation[side]), max(r_rival - 2, 0) / 3.0 * felt, float(d.demand[side]))
    threats = float(pp.threat_binding[side]) * commitment
    expected = max(float(pol.precedent[side]), threats)
    own = min(threats / expected, 1.0) if expected > 0 else 0.0  # the share of the answer expected the leader's own threats set
    occupied = float(d.occupied[side]) > 0
    pressure = (
        float(pp.hostility_pressure[side]) * hostility + float(pp.media_pressure[side]) * float(state.media.nationalism[side])
        + float(pp.electoral_pressure[side]) * np.exp(-(int(pol.election_in[side]) - 1) / float(pp.electoral_horizon[side]))
    )
    provoked = min(5.0, max(r_rival + 1.0, float(params.military.provocation_rung[side]) * float(d.provocation[side])))
    calm = max(min(r, r_rival) - 1.0, 0.0)
    cabinet = hawk[1] * provoked + (1 - hawk[1]) * calm
    opposition = hawk[2] * provoked + (1 - hawk[2]) * calm
    intent = 1 - float(pp.intent_weight[side]) * (1 - belief)
    standing = 1 + float(pp.insecurity[side]) * (1 - approval)
    out = []
    for c in range(N_RUNGS):
        if c > r + 2 or (c == 6 and level < 5):
            out.append(-np.inf)
            continue
        u = float(pp.resolve_reward[side]) * pressure * grievance * intent * standing * c / 6
        u -= float(pp.audience_cost[side]) * commitment * hostility * max(r - c, 0) * (1 - private) * standing
        u -= float(pp.war_cost[side]) * (c / 6) ** 2
        u -= float(pp.nuclear_cost[side]) * ((c == 6) + (c == 5) * 30 * float(params.dyad.nuclear_risk))
        k = min(max(c - 2, 0) / 3, 1)
        limited = 1 - float(params.operation.limited[side]) * (c == 4)
        u -= ((float(pp.retaliation_cost[side]) * float(d.readiness_seen[rival]) * k * limited + float(pp.escalation_risk[side]) * k**3)
              * (1 - (occupied and c == 3)))
        u -= (float(pp.precedent_cost[side]) * expected * pressure * grievance * intent
              * max(3 + expected - c, 0) * (1 - float(d.used_force[side])) * standing * (1 - private * own))
        u -= float(pp.mobilisation_cost[side]) * float(d.mobilised_days[side]) / 30 * (c >= 2)
        u -= (float(params.standoff.face[side]) * min(float(d.mobilised_days[side]) / 30, 1.0)
              * max(float(r_rival >= 2), float(d.demand[side])) * max(2 - c, 0))
        u -= float(pp.deterrence[side]) * belief * max(r_rival - c, 0)
        u -= float(params.mediation.pressure) * float(d.mediator) * c
        u -= float(pp.advice_weight[side]) * (float(params.military.influence[side]) * (c - float(state.military.advice[side])) ** 2
              + float(pp.cabinet_weight[side]) * (c - cabinet) ** 2 + float(pp.opposition_weight[side]) * (c - opposition) ** 2) / 6
        u -= float(pp.step_cost[side]) * abs(c - r)
        u -= float(pp.ceasefire_cost[side]) * (float(d.ceasefire_left) > 0) * max(c - 1, 0)
        out.append(u)
    return np.array(out)


@pytest.mark.parametrize("preset, days", [("pahalgam_2025", 3), ("pahalgam_2025", 14), ("twin_peaks_2001", 40), ("kargil_1999", 25)])
def test_the_leaders_utilities_match_an_independent_reference(preset, days):
    params, dims, time_key, state = _state(preset=preset, days=days, **{"institutions.hotline": True, "institutions.backchannel": True})
    # the state the political phase sees on the next day: open the day and run the sectors before it
    day_key = jax.random.fold_in(time_key, state.dyad.day)
    state = engine.open_day(day_key, dyad.inject_scripted(state, params), params)
    for sector in ("media", "public", "military"):
        state = engine.sector_phase(sector, day_key, state, params, dims)
    for side in (0, 1):
        pol = take_side(state.political, side)
        pol = dataclasses.replace(pol, election_in=pol.election_in - 1)  # as step() sees it
        kernel = np.asarray(political.utilities(state, params, side, pol, political.domestic_pressure(state, params, side, pol)))
        reference = reference_utilities(state, params, side)
        np.testing.assert_array_equal(np.isinf(kernel), np.isinf(reference))
        ok = np.isfinite(reference)
        np.testing.assert_allclose(kernel[ok], reference[ok], rtol=2e-4, atol=2e-4)


def test_a_private_climb_down_eases_the_leaders_own_threats_not_a_precedent():
    """Issue 20 (docs/ODD.md, 3.4.4 and 3.7): on a call day a private climb-down eases the cost of not answering as far as the
    answer expected is the leader's own threats (T / E), not the public's memory of a precedent. A leader who has made
    no threats but inherits a precedent gains nothing from it; one whose own threats set the answer expected finds
    every rung short of force more attractive."""
    def utilities(climbdown, precedent, commitment):
        params, _, _, state = _state(preset="uri_2016", days=3, over={"hotline.private_climbdown": climbdown},
                                     **{"institutions.hotline": True})
        state = dataclasses.replace(state, dyad=dataclasses.replace(state.dyad, hotline_call=jnp.float32(1.0),
                                                                    used_force=jnp.zeros(2, jnp.float32)))
        pol = dataclasses.replace(take_side(state.political, 0), precedent=jnp.float32(precedent), commitment=jnp.float32(commitment))
        return np.asarray(political.utilities(state, params, 0, pol, political.domestic_pressure(state, params, 0, pol)))

    ok = np.isfinite(utilities(0.0, 0.8, 0.0))
    # a precedent alone: the climb-down changes nothing
    np.testing.assert_allclose(utilities(0.7, 0.8, 0.0)[ok], utilities(0.0, 0.8, 0.0)[ok], rtol=1e-6)
    # the leader's own threats alone (precedent 0): rungs below force gain, force itself does not
    eased = utilities(0.7, 0.0, 1.0)[ok] - utilities(0.0, 0.0, 1.0)[ok]
    rungs = np.flatnonzero(ok)
    assert np.all(eased[rungs < political.KINETIC] > 0), eased
    # with both, it still eases the part of the answer expected that the threats set
    both = utilities(0.7, 0.8, 1.0)[ok] - utilities(0.0, 0.8, 1.0)[ok]
    assert np.all(both[rungs < political.KINETIC] > 0), both
