"""Benchmarks and the soak run: not tests; each prints or writes figures."""
