"""Exceptions raised by csvprep when a job cannot run at all.

Row-level problems are never exceptions: they become issues in the result. These exceptions are for the
cases where no result can be produced (exit code 2 on the command line).
"""

from __future__ import annotations


class CsvprepError(Exception):
    """Base class: the job could not run. ``str(error)`` is a one-line message for the user."""


class RulesError(CsvprepError):
    """The rules file is missing, unreadable or invalid."""


class InputError(CsvprepError):
    """The contact file cannot be read as a contact list (encoding, structure, missing columns...)."""


class OutputError(CsvprepError):
    """The outputs cannot be written where asked."""


class ConfigError(CsvprepError):
    """The project's ``[tool.csvprep]`` settings are invalid."""
