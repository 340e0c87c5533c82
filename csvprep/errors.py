"""Exceptions raised by csvprep when a job cannot run at all.

Row-level problems are never exceptions: they become issues in the result. These exceptions are for the
cases where no result can be produced (exit code 2 on the command line).
"""

from __future__ import annotations


class CsvprepError(Exception):
    """Base class: the job could not run. ``str(error)`` is a one-line message for the user; ``messages`` holds
    each problem's line when several were found together (:func:`gathered`)."""

    @property
    def messages(self) -> tuple[str, ...]:
        return getattr(self, "_messages", None) or (str(self),)


def collecting(problems: list, kind: type[CsvprepError]):
    """A runner of checking steps that keeps a step's ``kind`` of error in ``problems`` (and gives ``fallback``)
    instead of raising it, for :func:`gathered` to report every mistake at once."""

    def attempt(step, *args, fallback=None):
        try:
            return step(*args)
        except kind as exc:
            problems.append(exc)
            return fallback

    return attempt


def gathered(errors: list[CsvprepError]) -> CsvprepError:
    """Several problems found in one go as one error, so a user fixes them all at once rather than one per run:
    of their class when they share one, its message every problem's, joined by '; '."""
    messages = tuple(message for error in errors for message in error.messages)
    if len(errors) == 1:
        return errors[0]
    kinds = {type(error) for error in errors}
    kind = kinds.pop() if len(kinds) == 1 else CsvprepError
    try:
        combined = kind("; ".join(messages))
    except TypeError:  # a subclass that takes other arguments
        combined = CsvprepError("; ".join(messages))
    combined._messages = messages
    return combined


class RulesError(CsvprepError):
    """The rules file is missing, unreadable or invalid."""


class InputError(CsvprepError):
    """The contact file cannot be read as a contact list (encoding, structure, missing columns...)."""


class OutputError(CsvprepError):
    """The outputs cannot be written where asked."""


class ConfigError(CsvprepError):
    """The project's ``[tool.csvprep]`` settings are invalid."""


class Interrupted(BaseException):
    """The run was stopped by Ctrl-C or SIGTERM. A BaseException, as KeyboardInterrupt is, so that nothing on the
    way treats it as an error to report; every ``with`` on the way still cleans up."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal_number)
        self.signal_number = signal_number


class PlatformError(CsvprepError):
    """A campaign platform refused a request or could not be reached. ``status`` is the HTTP status (None when no
    answer came); the message names the request and the platform's own message, never the API key."""

    def __init__(self, message: str, status: int | None = None, *, uncertain: bool = False) -> None:
        super().__init__(message)
        self.status = status
        # the request may have been carried out although no answer says so (a timeout, a 5xx after sending)
        self.uncertain = uncertain
