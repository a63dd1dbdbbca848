"""Benchmarks and slow references: not part of the model package (``model``), never imported by it."""
