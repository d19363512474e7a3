"""Benchmarks of autograd_mini against torch (CPU) and hand-written NumPy.

Run `python -m benchmarks` (full) or `python -m benchmarks --quick` (CI); see README.md.
Every case runs in its own child process per engine (`benchmarks.child`), so one engine's
imports, caches and allocations never sit under another engine's measurement.
"""
