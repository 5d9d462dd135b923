"""Error types shared by every interface.

`InputError` is the one the CLI turns into a single line on stderr and exit code 2: it always says where
(file and line when there is a file) and what was expected.
"""

from __future__ import annotations


class AdvisorError(Exception):
    """Base class for errors the advisor reports without a traceback."""


class InputError(AdvisorError):
    """Bad input from the user or a knowledge-base author: exit code 2."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        self.message = message
        self.file = file
        self.line = line
        super().__init__(self.location_message())

    def location_message(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}: {self.message}"
        if self.file:
            return f"{self.file}: {self.message}"
        return self.message


class EngineLoopError(AdvisorError):
    """The rule engine did not reach a fixed point: a knowledge-base defect (exit code 3)."""
