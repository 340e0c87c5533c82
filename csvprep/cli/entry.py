"""The console script. Ctrl-C and SIGTERM, from the first moment on (the imports take a moment too), end the run
with one line and exit code 130 (143 for SIGTERM), never a traceback: the run's ``with`` blocks remove what it was
writing on the way out, and the line says what is left."""

from __future__ import annotations

import os
import signal
import sys

from ..errors import Interrupted


def _stop(number: int, frame) -> None:
    raise Interrupted(number)


def main() -> None:
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, _stop)
    try:
        try:
            from .main import app

            app()
        finally:
            # the run is over: a signal from now on is ignored, as nothing is left to stop. The interpreter's
            # shutdown puts its own handlers back to the default, which would end an exit that is already under
            # way as killed by the signal (-15), its outputs complete
            for number in (signal.SIGINT, signal.SIGTERM):
                signal.signal(number, signal.SIG_IGN)
    except Interrupted as stopped:
        publish = sys.modules.get("csvprep.outputs.publish")  # loaded only by a run that writes
        line = publish.interrupted_message() if publish is not None else "interrupted: nothing written"
        try:
            sys.stderr.write(f"csvprep: {line}\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        # the lock, the scratch directory and the pool are gone; a Polars thread still writing must not keep the
        # process alive
        os._exit(143 if stopped.signal_number == signal.SIGTERM else 130)
