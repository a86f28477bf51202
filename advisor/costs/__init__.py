"""The cost side of the advisor: the catalogue of dated, sourced figures, and overrides."""
