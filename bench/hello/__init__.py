"""A bare Django hello-world, served the same way as Rebond, as the benchmarks' yardstick."""
