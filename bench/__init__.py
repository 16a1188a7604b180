"""`make bench`: the benchmark sections (docs/benchmark.md) and their runner, bench.run."""
