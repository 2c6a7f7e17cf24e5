"""Errors that reach the user as one line on stderr and a non-zero exit."""


class PystatError(Exception):
    """A problem the user can act on; printed as ``pystat: <message>``."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class SourceError(PystatError):
    """A file under the root is missing, unreadable or malformed.

    ``errno`` is the OS error number when the file could not be opened or
    listed (None for a malformed file)."""

    errno: int | None = None


class ParseError(ValueError):
    """Raised by a /proc parser on text it cannot understand.

    Parsers know nothing of paths; the reader adds the file name when it
    turns this into a :class:`SourceError`.
    """


class SeriesExhausted(Exception):
    """A snapshot series has no further sample to move to."""
