"""Static checks over the code: an undefined name is a crash waiting for the one input that reaches it."""

from __future__ import annotations

import pyflakes.api
import pyflakes.reporter
from conftest import ROOT


class _Collected(pyflakes.reporter.Reporter):
    def __init__(self) -> None:
        self.messages: list[str] = []

    def unexpectedError(self, filename, message):  # noqa: N802 - pyflakes' interface
        self.messages.append(f"{filename}: {message}")

    def syntaxError(self, filename, message, lineno, offset, text):  # noqa: N802
        self.messages.append(f"{filename}:{lineno}: {message}")

    def flake(self, message):
        self.messages.append(str(message))


def test_pyflakes_finds_nothing_in_the_package_tests_and_benchmarks():
    reporter = _Collected()
    paths = [str(path) for folder in ("csvprep", "tests", "benchmarks")
             for path in sorted((ROOT / folder).rglob("*.py"))]
    pyflakes.api.checkRecursive(paths, reporter)
    assert reporter.messages == []
