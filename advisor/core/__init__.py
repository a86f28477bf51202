"""The decision engine's core: questionnaires, answers, rules and evaluation (no UI, no templates)."""
