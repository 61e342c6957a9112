"""Benchmarks of fsr-opt: instance generator, a plain baseline formulation, timing script.

Not part of the package: nothing under ``src/`` imports from here. See benchmarks/RESULTS.md.
"""
