"""Human-readable renderings of a decision for the terminal (rich), kept out of the core."""
