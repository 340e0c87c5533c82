"""What a command asks for, assembled once: a :class:`Job` is the rules (with the prompt's variables, the
campaign's defaults and the region applied), the do-not-call lists read, the calling hours resolved, the provider
and the run options. The CLI and the library build the same Job and hand it to :func:`csvprep.run`."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.calling import CallingHours
from ..model.contacts import ReadOptions
from ..model.providers import Provider
from ..model.rules import Rules
from ..stages.suppression import SuppressionList


@dataclass(frozen=True)
class Job:
    """One run's settings, resolved: everything :func:`csvprep.run` needs besides the input."""

    rules: Rules
    strict: bool = False
    read_options: ReadOptions = field(default_factory=ReadOptions)
    suppress: tuple[SuppressionList, ...] = ()
    calling: CallingHours | None = None
    add_columns: tuple[str, ...] = ()
    provider: Provider | None = None  # shapes the outputs of a clean
    part_rows: int | None = None  # records per part; None: csvprep.app.run.PART_ROWS when the run starts
    notes: tuple[str, ...] = ()  # what assembling the job found worth saying (rules variables the prompt never uses)
