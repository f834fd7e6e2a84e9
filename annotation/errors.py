"""Errors a user can act on.

Every message names the file, the line or field, and what was expected, so the CLI can print it as one line
and the window can show it as-is.
"""


class FaceLensError(Exception):
    """An error caused by the user's input or environment, not by a bug."""


class InputError(FaceLensError):
    """A file or value that does not have the expected form."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None, field: str | None = None):
        where = []
        if path:
            where.append(str(path))
        if line is not None:
            where.append(f"line {line}")
        if field:
            where.append(f"field '{field}'")
        self.path, self.line, self.field = path, line, field
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class BusyElsewhere(InputError):
    """Another program is working on it now (propagating a video, say): the same step works once it is done."""


class ProjectError(FaceLensError):
    """A project folder that is missing, not a project, or cannot be opened."""
