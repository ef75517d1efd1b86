"""Benchmarks (``make bench``): each result is a ratio against a baseline measured
in the same run, on the same machine; see docs/benchmarks.md."""
