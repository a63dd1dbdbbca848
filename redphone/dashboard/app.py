"""Watch a crisis unfold: Mesa's SolaraViz parts on ``CrisisModel`` (``make dashboard``).

The page is built from Mesa's SolaraViz parts (its ``ModelController``: Reset,
Play, Step; the play and render intervals; its draggable grid) with the
project's views in the grid and the set-up card in the sidebar where
SolaraViz puts its "Model Parameters" card. (``SolaraViz`` itself would add
that card, empty here, and a tab bar with a single "Page 0" tab.) The set-up card holds what the user typed and checks it with the
project's validation on every change; a valid set-up becomes the arguments
the next Reset builds from, an invalid one is shown as one line per problem
and leaves those arguments as they were, so no model is ever built from bad
values. Every browser session has its own set-up and model.

Run: ``make dashboard``, or ``solara run dashboard/app.py`` in the venv after
``python scripts/dashboard/fetch_solara_assets.py`` (the page's front-end
files, served offline).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial

import jax
import mesa
import solara
from mesa.visualization.solara_viz import ModelController, make_initial_grid_layout
from mesa.visualization.utils import update_counter

from redphone.dashboard import controls as setup_controls
from redphone.dashboard import plots
from redphone.dashboard.events import event_log
from redphone.model.config import presets
from redphone.model.lab import packages
from redphone.model.mesa_model import CrisisModel

LOG_DAYS = 12  # days with events shown in the log, newest first


@dataclass
class DashboardSetup:
    """One browser session's set-up: the controls as typed, and the last valid ``CrisisModel`` arguments."""

    controls: dict = field(default_factory=setup_controls.defaults)
    model_kwargs: dict = field(default_factory=dict)

    def __post_init__(self):
        if not self.model_kwargs:
            kwargs, problems = setup_controls.check(self.controls)
            if problems:
                raise ValueError("; ".join(problems))
            self.model_kwargs = kwargs


class DashboardModel(CrisisModel):
    """``CrisisModel`` built from a session's set-up (what Mesa's Reset calls), timing each simulated day.

    Building compiles the day's kernels for this population size (a throwaway
    model runs one day), so the first Step is as fast as the others.
    """

    def __init__(self, setup: DashboardSetup | None = None):
        started = time.perf_counter()
        self.setup = setup if setup is not None else DashboardSetup()
        self.built_from = dict(self.setup.model_kwargs)
        super().__init__(**self.built_from)
        CrisisModel(config=self.config, rng=self.seed, replicate=self.replicate).step()
        self.build_seconds = time.perf_counter() - started
        self.day_seconds: list[float] = []  # model time per simulated day, as stepped from the page
        self.view_seconds: dict[str, float] = {}  # drawing time of each view, last update
        self.frames: dict[str, dict] = {}  # each view's cached picture of what does not change (plots.render)
        run_day = self.step  # Mesa's step: advance the clock one day through the scheduler

        def timed_step():
            started = time.perf_counter()
            run_day()
            self.day_seconds.append(time.perf_counter() - started)

        self.step = timed_step


def engine_line() -> str:
    devices = ", ".join(f"{d.platform}:{d.id} ({d.device_kind})" for d in jax.devices())
    return f"Mesa {mesa.__version__} CrisisModel driving JAX {jax.__version__} kernels; backend {jax.default_backend()}; devices {devices}"


def timing_line(model: DashboardModel) -> str:
    times = model.day_seconds
    text = f"build (with compilation) {model.build_seconds:.1f} s"
    if times:
        text += f"; last day {1e3 * times[-1]:.1f} ms; mean {1e3 * sum(times) / len(times):.1f} ms per day over {len(times)} days"
    if model.view_seconds:
        text += f"; drawing the views {1e3 * sum(model.view_seconds.values()):.0f} ms"
    return text


# --------------------------------------------------------------------------- views


def _png(view, model: DashboardModel) -> bytes:
    started = time.perf_counter()
    figure = view(model.daily() if model.outputs else {}, model.side_names)
    png = plots.render(figure, model.frames.setdefault(view.__name__, {}))
    model.view_seconds[view.__name__] = time.perf_counter() - started
    return png


@solara.component
def PlotView(model: DashboardModel, view):
    # Drawn in the step's own render: with plots.render's cached frames the four views take ~0.1 s a
    # day, and drawing them in threads instead was slower (the threads contend for the GIL).
    update_counter.get()
    png = solara.use_memo(lambda: _png(view, model), [model, len(model.outputs)])
    with solara.Column(classes=["redphone-view", f"redphone-view-{view.__name__}"]):
        solara.Image(png)


@solara.component
def EventLog(model: DashboardModel):
    update_counter.get()
    lines = event_log(model.outputs, model.side_names, last=LOG_DAYS)
    with solara.Card("What happened", classes=["redphone-event-log"]):
        if not lines:
            solara.Text("Nothing yet: press Step." if not model.outputs else f"day {model.day - 1}: quiet so far.")
        for line in lines:
            solara.Text(line, classes=["redphone-event"], style={"display": "block"})


@solara.component
def RunInfo(model: DashboardModel):
    update_counter.get()
    kwargs = model.built_from
    on = [setup_controls.SWITCH_LABELS[s] for s in setup_controls.SWITCHES if kwargs[s]]
    with solara.Card("This run", classes=["redphone-run-info"]):
        solara.Text(engine_line(), classes=["redphone-engine"], style={"display": "block"})
        solara.Text(
            f"preset {kwargs['preset']}, seed {kwargs['rng']}, {model.dims.n_public:,} citizens and "
            f"{model.dims.n_media} outlets per side; day {model.day}",
            style={"display": "block"},
        )
        solara.Text("institutions: " + (", ".join(on) or "none"), classes=["redphone-institutions"], style={"display": "block"})
        mode = "automatic" if kwargs["overrides"]["hotline.automatic"] else "ad hoc"
        solara.Text(
            f"hotline mode {mode}; Track-II reach {kwargs['overrides']['track2.reach']}; media slant {kwargs['overrides']['media.slant']}",
            style={"display": "block"},
        )
        solara.Text(timing_line(model), classes=["redphone-timing"], style={"display": "block"})


COMPONENTS = [partial(PlotView, view=view) for view in plots.VIEWS] + [EventLog, RunInfo]


# --------------------------------------------------------------------------- set-up controls


@solara.component
def SetupCard(setup: DashboardSetup):
    values = solara.use_reactive(setup.controls)
    problems = solara.use_reactive(list[str]())

    def change(name, value):
        new = {**values.value, name: value}
        if name == "preset" and value in presets():  # a preset brings its own switches and parameters
            new = {**setup_controls.defaults(value), "seed": values.value["seed"]}
        apply(new)

    def setting(name):  # a policy setting switches what make policy's setting of that name switches
        if name:
            apply(setup_controls.with_setting(values.value, name))

    def apply(new):
        kwargs, found = setup_controls.check(new)
        values.value, problems.value = new, found
        setup.controls = new
        if kwargs is not None:
            setup.model_kwargs = kwargs

    def wrong(name: str) -> bool:
        key = setup_controls.TYPED[name][0]
        return any(p.startswith(key) for p in problems.value)

    with solara.Card("Crisis set-up", classes=["redphone-setup"]):
        solara.Select("Preset", values=presets(), value=values.value["preset"], on_value=partial(change, "preset"))
        solara.Select("Policy setting (make policy's list)", values=list(packages.settings()), value=None, on_value=setting)
        for name, (_, label) in setup_controls.TYPED.items():
            solara.InputText(
                label, value=values.value[name], on_value=partial(change, name), continuous_update=False,
                error=wrong(name), classes=[f"redphone-input-{name}"],
            )
        for name in setup_controls.SWITCHES:
            solara.Checkbox(label=setup_controls.SWITCH_LABELS[name], value=values.value[name], on_value=partial(change, name))
        solara.Select("Hotline mode", values=list(setup_controls.HOTLINE_MODES), value=values.value["hotline_mode"], on_value=partial(change, "hotline_mode"))
        if problems.value:
            with solara.Error(classes=["redphone-setup-problems"]):
                solara.Text("Not applied; Reset keeps the last valid set-up:", style={"display": "block"})
                for line in problems.value:
                    solara.Text(line, style={"display": "block"})
        else:
            solara.Info("Press Reset (under Controls) to rebuild the model with this set-up.", dense=True)


@solara.component
def Page():
    setup = solara.use_memo(DashboardSetup, [])
    model = solara.use_reactive(solara.use_memo(lambda: DashboardModel(setup), []))
    play_interval = solara.use_reactive(200)
    render_interval = solara.use_reactive(1)
    with solara.AppBar():
        solara.AppBarTitle("redphone: watch a crisis unfold")
    with solara.Sidebar(), solara.Column():
        with solara.Card("Controls"):
            solara.SliderInt("Play interval (ms)", value=play_interval, min=1, max=500, step=10)
            solara.SliderInt("Render interval (days)", value=render_interval, min=1, max=30, step=1)
            ModelController(
                model, model_parameters={"setup": setup}, play_interval=play_interval, render_interval=render_interval,
                use_threads=solara.use_reactive(False),  # Mesa reads .value of it: a plain False fails in its thread
            )
        SetupCard(setup)
    Views(model.value)


@solara.component
def Views(model: DashboardModel):
    layout = solara.use_reactive(make_initial_grid_layout(len(COMPONENTS)))
    solara.GridDraggable(
        items=[component(model) for component in COMPONENTS], grid_layout=layout.value,
        resizable=True, draggable=True, on_grid_layout=layout.set,
    )
