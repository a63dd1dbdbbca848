"""The interactive dashboard: watch one crisis day by day in Mesa's SolaraViz.

``dashboard.app`` is the Solara page (``make dashboard``); the rest are plain
functions it draws on, each tested without a browser: ``events`` puts a day's
outputs into words, ``controls`` turns what was typed into ``CrisisModel``
arguments through the project's own validation, ``plots`` draws the views.
"""
