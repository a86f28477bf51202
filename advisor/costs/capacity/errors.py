"""The errors of the capacity model: a model or a GPU not on file, and a request it cannot
answer."""

from __future__ import annotations


class UnknownModel(KeyError):
    """A model id that is not on file (and not a bare size)."""

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownGpu(KeyError):
    """A GPU the catalogue has no datasheet for."""

    def __str__(self) -> str:
        return str(self.args[0])


class CapacityError(ValueError):
    """A request the model cannot answer: a precision the GPU lacks, tokens below one."""
