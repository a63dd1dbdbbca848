"""The lab around the model: what runs it, records it and reads it.

Batches and sweeps (``batch``, ``sweep``, ``runtime``, ``overrides``,
``progress``), the files they write (``io``), calibration against the record
(``record``, ``calibration``, ``hindcast``, ``sensitivity``) and the numbers
reported from saved results (``stats``, ``tables``). The lab imports the core
(``model``: params, state, sectors, dyad, engine, the Mesa model, config); the
core imports nothing from here (tests/test_layout.py).
"""
