"""The dashboard's pure parts: the event log's wording, the set-up's validation, the views."""

import io

import numpy as np
import pytest

from redphone.dashboard import controls, plots
from redphone.dashboard.events import describe_day, event_log
from redphone.model.config import presets

SIDES = ("India", "Pakistan")


def quiet_day(**changes) -> dict:
    day = dict(
        crisis_level=np.int32(0), rung=np.zeros(2, np.int32), attack=np.zeros(2), strike=np.zeros(2), loss=np.zeros(2),
        hotline_call=0.0, dgmo_call=0.0, backchannel_use=0.0, mediation=0.0, mediation_refused=0.0, ceasefire=0.0, accident=0.0,
        in_crisis=0.0, victory_claims=np.zeros(2), established=np.zeros(3), order=np.zeros(2, np.int32),
        rescind_cause=np.zeros(2, np.int32), complied=np.zeros(2), repeak=0.0,
    )
    for key, value in changes.items():
        day[key] = np.asarray(value)
    return day


def test_a_quiet_day_says_nothing():
    assert describe_day(3, quiet_day(), quiet_day(), SIDES) is None


def test_strike_orders_compliance_and_refused_mediation_in_words():
    before = quiet_day(rung=[2, 2], in_crisis=1.0)
    today = quiet_day(rung=[2, 2], in_crisis=1.0, order=[3, 1], rescind_cause=[1, 0], complied=[1.0, 0.0], mediation=1.0, mediation_refused=1.0)
    line = describe_day(9, today, before, SIDES)
    for words in ("India's strike order is rescinded (after a hotline call)", "Pakistan's leader orders a strike",
                  "Pakistan complies with India's demands", "mediation is refused"):
        assert words in line, (words, line)
    executed = describe_day(10, quiet_day(rung=[4, 2], in_crisis=1.0, order=[2, 0]), today, SIDES)
    assert "India executes its strike order" in executed


def test_strike_and_victory_claim_in_words():
    before = quiet_day(rung=[4, 4], in_crisis=1.0)
    today = quiet_day(rung=[4, 4], in_crisis=1.0, strike=[0.0, 0.67], victory_claims=[0.3, 0.0])
    assert describe_day(15, today, before, ("A", "B")) == "day 15: B strikes A's territory; A's media claim victory"


def test_trigger_escalation_and_channels_in_words():
    before = quiet_day(rung=[1, 0])
    today = quiet_day(rung=[3, 2], in_crisis=1.0, attack=[0.9, 0.0], strike=[0.33, 0.0], hotline_call=1.0, mediation=1.0)
    line = describe_day(2, today, before, SIDES)
    assert line.startswith("day 2: a crisis opens; a severe attack hits India (severity 0.90)")
    for words in (
        "India escalates to rung 3 (limited cross-border fire)", "Pakistan escalates to rung 2 (mobilisation)",
        "India fires across the border at Pakistan", "the leaders talk on the hotline", "a third party steps in to mediate",
    ):
        assert words in line


def test_lasting_channels_are_told_once_and_the_end_is_told():
    day1 = quiet_day(rung=[2, 2], in_crisis=1.0, mediation=1.0)
    day2 = quiet_day(rung=[1, 1], in_crisis=1.0, mediation=1.0, ceasefire=1.0)
    day3 = quiet_day(rung=[1, 1], in_crisis=0.0, established=[1, 0, 0])
    assert "mediate" not in describe_day(2, day2, day1, SIDES)
    assert "a ceasefire is agreed" in describe_day(2, day2, day1, SIDES)
    assert describe_day(3, day3, day2, SIDES) == "day 3: the crisis ends; a leader hotline is set up after the crisis"


def test_nuclear_use_in_words():
    line = describe_day(9, quiet_day(rung=[6, 6], in_crisis=1.0), quiet_day(rung=[5, 5], in_crisis=1.0), SIDES)
    assert line == "day 9: nuclear weapons are used"


def test_event_log_is_newest_first_and_skips_quiet_days():
    days = [quiet_day(attack=[0.5, 0]), quiet_day(), quiet_day(hotline_call=1.0)]
    assert event_log(days, SIDES) == ["day 2: the leaders talk on the hotline", "day 0: an attack hits India (severity 0.50)"]
    assert event_log(days, SIDES, last=1) == ["day 2: the leaders talk on the hotline"]


def test_event_log_of_a_model_run_names_the_trigger():
    from redphone.model import CrisisModel

    model = CrisisModel(n_public=200, n_media=5, hotline=True)
    model.run_for(6)
    log = event_log(model.outputs, model.side_names, last=50)
    assert log[-1].startswith("day 0: a crisis opens; a severe attack hits India")


@pytest.mark.parametrize("preset", presets())
def test_every_preset_gives_valid_controls(preset):
    kwargs, problems = controls.check(controls.defaults(preset))
    assert problems == [] and kwargs["preset"] == preset


def test_controls_become_model_arguments():
    values = dict(controls.defaults(), hotline=True, hotline_mode="ad hoc", track2_reach="0.2", media_slant="0.7, 0.5", n_public="500", seed="7")
    kwargs, problems = controls.check(values)
    assert problems == []
    assert kwargs["hotline"] is True and kwargs["n_public"] == 500 and kwargs["rng"] == 7
    assert kwargs["overrides"] == {"track2.reach": 0.2, "media.slant": [0.7, 0.5], "hotline.automatic": False}


def test_bad_values_give_one_line_each_and_no_arguments():
    values = dict(controls.defaults(), n_public="-5", n_media="abc", media_slant="0.5, 2", seed="x")
    kwargs, problems = controls.check(values)
    assert kwargs is None
    assert "population.public = -5: expected a whole number in [2, 16777216] (citizens per side)" in problems
    assert any(p.startswith("population.media") for p in problems)
    assert any(p.startswith("media.slant = 2") for p in problems)
    assert any(p.startswith("seed") for p in problems)
    assert all("\n" not in p for p in problems)


def test_dashboard_caps_the_population():
    _, problems = controls.check(dict(controls.defaults(), n_public=str(controls.MAX_PUBLIC + 2)))
    assert problems and "at most" in problems[0]


@pytest.mark.parametrize("view", plots.VIEWS, ids=lambda v: v.__name__)
def test_views_draw_before_and_after_the_first_day(view):
    from redphone.model import CrisisModel

    model = CrisisModel(n_public=200, n_media=5)
    empty = io.BytesIO()
    view({}, model.side_names).savefig(empty, format="png")
    model.run_for(5)
    drawn = io.BytesIO()
    view(model.daily(), model.side_names).savefig(drawn, format="png")
    assert drawn.getvalue()[:4] == b"\x89PNG" and drawn.getvalue() != empty.getvalue()


def test_dashboard_model_is_built_from_the_setup_and_times_its_days():
    from redphone.dashboard.app import DashboardModel, DashboardSetup, engine_line, timing_line

    setup = DashboardSetup(controls=dict(controls.defaults(), n_public="200", n_media="5", hotline=True))
    model = DashboardModel(setup)
    assert model.dims.n_public == 200 and bool(model.config.institutions.hotline)
    model.step()
    model.step()
    assert model.day == 2 and len(model.day_seconds) == 2 and model.time == 2
    assert "over 2 days" in timing_line(model) and "backend" in engine_line()


def test_page_has_no_empty_parameter_card_and_no_page_tab():
    import ipyvuetify as v
    import solara

    from redphone.dashboard import app

    @solara.component
    def Wrapped():
        with solara.AppLayout():
            app.Page()

    _, rc = solara.render(Wrapped(), handle_error=False)
    titles = [w.children[0] for w in rc.find(v.CardTitle).widgets]
    assert "Model Parameters" not in titles and {"Controls", "Crisis set-up", "What happened", "This run"} <= set(titles)
    assert not rc.find(v.Tab).widgets  # SolaraViz's "Page 0" tab
    assert [b.children[0] for b in rc.find(v.Btn).widgets] == ["Reset", "▶", "Step"]


@pytest.mark.parametrize("view", plots.VIEWS, ids=lambda v: v.__name__)
def test_render_from_a_cached_frame_draws_what_savefig_draws(view):
    import numpy as np
    from PIL import Image

    from redphone.model import CrisisModel

    model = CrisisModel(n_public=200, n_media=5)
    model.run_for(12)
    cache = {}
    pictures = [plots.render(view(model.daily(), model.side_names), cache) for _ in range(2)]  # fresh frame, then cached
    full = io.BytesIO()
    view(model.daily(), model.side_names).savefig(full, format="png")
    first, cached, saved = (np.asarray(Image.open(io.BytesIO(p)).convert("RGB")).astype(int) for p in (*pictures, full.getvalue()))
    assert np.array_equal(first, cached)
    assert first.shape == saved.shape and (np.abs(first - saved).sum(-1) > 30).mean() < 0.01  # only where data crosses a legend
    model.step()
    assert plots.render(view(model.daily(), model.side_names), cache) != pictures[1]  # a new day, a new picture


def test_axes_move_in_steps():
    assert [plots.horizon(n) for n in (0, 1, 11, 12, 21, 22, 41)] == [10, 10, 10, 20, 20, 40, 40]
    assert [plots.ceiling(x) for x in (0.0, 0.04, 0.3, 0.9, 1.5, 7.0)] == pytest.approx([1.0, 0.05, 0.5, 1.0, 2.0, 10.0])


def test_a_policy_setting_sets_the_switches_make_policy_runs():
    """The dashboard's policy menu reads configs/policy/settings.yaml, the list make policy runs."""
    from redphone.model.lab import packages

    base = controls.defaults("india_pakistan_2025")
    for name, over in packages.settings().items():
        new = controls.with_setting(base, name)
        kwargs, problems = controls.check(new)
        assert problems == [] and kwargs is not None, name
        for key, value in over.items():
            if key.startswith("institutions."):
                assert new[key.removeprefix("institutions.")] is value, (name, key)
        assert new["hotline_mode"] == ("automatic" if over.get("hotline.automatic", True) else "ad hoc"), name
    everything = controls.with_setting(base, "+ responsible media (everything)")
    assert all(everything[s] for s in ("hotline", "backchannel", "cbm", "track2", "responsible_media"))
