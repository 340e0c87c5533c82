"""A run's outputs as one set in their directory: one run at a time (a lock in the directory), what an interrupted
run left removed, and a manifest written last that names the run's files, so that a reader can tell a complete
set from a mixed one. Only files a manifest names are ever removed."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from ..errors import Interrupted, OutputError
from ..io.csv_out import atomic_write
from .row_runs import RowRuns

MANIFEST = "csvprep-manifest.json"
_ROW_RUNS = "cleaned_rows"  # the manifest's last key: the input row of each row of cleaned.csv, in runs
_MANIFEST_HEAD = 1 << 16  # the manifest's bytes before its row runs: its files and input, a few hundred
_RUNS = "\x00runs\x00"  # where the manifest's row runs go: no other value holds a NUL
SCRATCH_PREFIX = ".csvprep-"  # a run's scratch directory inside the output directory
# what the set looks like to an interrupt: None (no run writing), "writing" (the scratch only: the directory
# still holds the previous run's set), "publishing" (files being renamed into place)
state: dict[str, object] = {"phase": None, "directory": None, "previous": False}

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks; runs are not told apart there
    fcntl = None


@contextmanager
def one_run(directory: Path):
    """Hold ``directory`` for this run: a second run into it meanwhile is refused, naming the one that holds it.
    The lock is the kernel's, on the directory itself (flock), so it leaves no file behind and goes with the
    process however it ends, SIGKILL included."""
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError as exc:
        raise OutputError(f"{directory}: cannot write ({exc.strerror or exc})") from None
    try:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OutputError(f"{directory}: another csvprep run ({_holder(directory)}) is writing its outputs "
                                  "there; wait for it to end, or choose another --out") from None
        _remove_leftovers(directory)
        state.update(phase="writing", directory=directory, previous=(directory / MANIFEST).exists())
        yield
    finally:
        os.close(handle)  # the lock goes with it


def scratch_prefix() -> str:
    """The start of this run's scratch directory's name: it names the process, for a second run to say who."""
    return f"{SCRATCH_PREFIX}{os.getpid()}-"


def _holder(directory: Path) -> str:
    for entry in directory.glob(f"{SCRATCH_PREFIX}*-*"):
        pid = entry.name[len(SCRATCH_PREFIX):].split("-", 1)[0]
        try:
            started = datetime.fromtimestamp(entry.stat().st_mtime).strftime("%H:%M:%S")
        except OSError:  # the other run is removing it as it ends
            continue
        if pid.isdigit():
            return f"pid {pid}, started {started}"
    return "another process"


# atomic_write's temporary files for the files a run writes (".cleaned.csv.k2j1.tmp"); a user's own are left
_TEMPORARY = re.compile(r"\.(?:cleaned|rejected|errors|report|cohort_transformation|csvprep-manifest|payload)[^/]*\.tmp")


def _remove_leftovers(directory: Path) -> None:
    """What a run that was killed left: its scratch directory and atomic writes' temporary files (no run can be
    using them: this one holds the directory)."""
    for entry in directory.iterdir():
        try:
            if entry.name.startswith(SCRATCH_PREFIX) and entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            elif _TEMPORARY.fullmatch(entry.name) and entry.is_file():
                entry.unlink()
        except OSError:
            pass  # left for the next run


def previous_files(directory: Path) -> set[str]:
    """The files the last complete run wrote into ``directory``, by its manifest (none without one). Only the
    manifest's head is read: the row runs after it are tens of millions for a large list, and parsing them would
    take gigabytes to learn five names."""
    try:
        with open(directory / MANIFEST, "rb") as stream:
            head = stream.read(_MANIFEST_HEAD)
            whole = not stream.read(1)
        text = head.decode("utf-8", errors="replace")  # a cut character, past what is parsed, is no matter
        cut = text.find(f',\n  "{_ROW_RUNS}"')
        if cut != -1:
            text = text[:cut] + "\n}"
        elif not whole:
            return set()  # not a manifest this version wrote: its files are left where they are
        manifest = json.loads(text)
        return {name for name in manifest.get("files", {}) if "/" not in name and not name.startswith(".")}
    except (OSError, ValueError, AttributeError):
        return set()


def withdraw_manifest(directory: Path) -> None:
    """Before the new files go in place: without a manifest, a set caught half renamed is not taken for complete."""
    state["phase"] = "publishing"
    try:
        (directory / MANIFEST).unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise OutputError(f"{directory / MANIFEST}: cannot write ({exc.strerror or exc})") from None


def write_manifest(directory: Path, files: dict[str, Path], *, source: str | None, sha256: str | None,
                   version: str, cleaned_rows: RowRuns | None = None) -> Path:
    """The manifest, written last: the run's files in ``directory`` (name → bytes), its input, and (``cleaned_rows``)
    which input row each row of cleaned.csv came from, as ``[first input row, count]`` runs in cleaned.csv's
    order, each naming its file in a run over several files (:func:`input_rows` reads them back)."""
    listed = {}
    for name, path in sorted(files.items()):
        if path.parent.resolve() == directory.resolve() and path.exists():
            listed[name] = {"bytes": path.stat().st_size}
    manifest = {"csvprep_version": version, "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "run_id": f"{os.getpid()}-{time.time_ns()}", "input": {"source": source, "sha256": sha256},
                "files": listed}
    if cleaned_rows is not None:
        manifest[_ROW_RUNS] = {"numbering": "input spreadsheet rows, the header's row first", "runs": [_RUNS]}
    text = json.dumps(manifest, indent=2) + "\n"
    if cleaned_rows is not None and not len(cleaned_rows):
        text = text.replace(f"[\n      {json.dumps(_RUNS)}\n    ]", "[]", 1)
    before, _, after = text.partition(json.dumps(_RUNS))

    def write(stream: BinaryIO) -> None:
        stream.write(before.encode("utf-8"))
        if after:  # the runs, a line each, from their spool: tens of millions for a big messy list
            cleaned_rows.write_items(stream)
            stream.write(after.encode("utf-8"))

    path = directory / MANIFEST
    atomic_write(path, write)
    state["phase"] = "published"
    return path


def input_rows(directory: Path) -> list[list] | None:
    """The runs of input rows the manifest in ``directory`` records for cleaned.csv (None: a run before csvprep
    recorded them, or no manifest)."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        runs = manifest[_ROW_RUNS]["runs"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(runs, list) or not all(isinstance(r, list) and len(r) in (2, 3) for r in runs):
        return None
    return runs


def interrupted_message() -> str:
    """What an interrupted run left, in one line."""
    phase, directory = state["phase"], state["directory"]
    if phase == "writing":
        kept = "the previous run's outputs there are kept" if state["previous"] else "it holds no outputs"
        return f"interrupted: nothing written to {directory} ({kept})"
    if phase == "publishing":  # pragma: no cover - signals wait for the set to be in place
        return f"interrupted while the outputs were put in place: {directory} has no {MANIFEST}; run again"
    if phase == "published":
        return f"interrupted after the outputs were written to {directory}"
    return "interrupted: nothing written"


def check_outputs(directory: str | Path) -> list[str]:
    """Why the outputs in ``directory`` are not one complete set (no manifest: a run was interrupted while
    publishing, or never ran; a file changed or missing since), or nothing when they are."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [f"{directory}: no {MANIFEST}: the outputs there are not a complete set from one csvprep run"]
    except (OSError, ValueError) as exc:
        return [f"{directory / MANIFEST}: unreadable ({exc})"]
    problems = []
    for name, facts in manifest.get("files", {}).items():
        path = directory / name
        if not path.is_file():
            problems.append(f"{path}: missing (the manifest lists it)")
        elif path.stat().st_size != facts.get("bytes"):
            problems.append(f"{path}: not the file this run wrote (its size changed)")
    return problems


@contextmanager
def signals_deferred():
    """Ctrl-C and SIGTERM held back until the block ends (then handled as they would have been): the outputs are
    put in place as a whole or not at all. Only the main thread can set handlers; elsewhere nothing is held
    back."""
    caught: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    try:
        previous = {number: signal.signal(number, lambda number, frame: caught.append(number)) for number in held}
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if caught and previous[caught[0]] is not signal.SIG_IGN:  # what it would have done, now the set is in place
        handler = previous[caught[0]]
        if callable(handler):
            handler(caught[0], None)
        raise Interrupted(caught[0])
