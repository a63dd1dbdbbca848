"""One module per paper figure: each reads saved (collected) results and draws; nothing here simulates.

The order of FIGURES is the order `make figures` builds them in.
"""

FIGURES = (
    "crisis_timeline",
    "escalation_surface",
    "hostility_distribution",
    "long_run",
    "institution_window",
    "narrative_war",
)
