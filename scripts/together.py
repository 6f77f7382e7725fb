"""Run a few commands side by side (a web server, the task worker, the scheduler) as one.

Used by `make demo` and `make serve` so that one command serves the site *and* finishes its
background jobs. Each command's output is prefixed with its name; when one stops, or on Ctrl-C
or SIGTERM, the others are asked to stop (SIGTERM, then SIGKILL after 10 seconds).

    python scripts/together.py web="manage.py runserver" worker="manage.py db_worker"
"""

from __future__ import annotations

import shlex
import signal
import subprocess
import sys
import threading
import time

GRACE = 10


def _relay(name: str, process: subprocess.Popen[bytes]) -> None:
    assert process.stdout is not None
    for line in iter(process.stdout.readline, b""):
        sys.stdout.write(f"{name:>9} | {line.decode(errors='replace')}")
        sys.stdout.flush()


def _stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + GRACE
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def main(arguments: list[str]) -> int:
    if not arguments or any("=" not in argument for argument in arguments):
        print(__doc__)
        return 2
    processes = {}
    for argument in arguments:
        name, command = argument.split("=", 1)
        processes[name] = subprocess.Popen(  # noqa: S603 - the Makefile's own commands
            shlex.split(command), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        threading.Thread(target=_relay, args=(name, processes[name]), daemon=True).start()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        while not stopping.is_set() and all(p.poll() is None for p in processes.values()):
            stopping.wait(0.5)
    except KeyboardInterrupt:
        pass
    _stop(processes)
    return max((p.returncode or 0) for p in processes.values())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
