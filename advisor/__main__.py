"""`python -m advisor`: the same as the `advisor` command."""

from advisor.cli import run

if __name__ == "__main__":
    run()
