"""`make bench`: the benchmark driver, its bulk loader and the bare reference app (never in the product)."""
