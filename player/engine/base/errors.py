"""The one family of errors a user may see. The CLI prints their message on one line and exits with 2."""


class WatchError(Exception):
    """An error with a plain-English message meant for the user."""


class CatalogError(WatchError):
    """A title failed validation. `problems` holds every problem, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class TitleNotFound(WatchError):
    """No title, or more than one title, matches what the user typed."""


class BadViewerName(WatchError):
    """A viewer name that could escape the data directory or is not printable."""


class ImportFailed(WatchError):
    """A screenplay could not be imported. Nothing was written to the catalog."""
