"""`make run`'s process supervisor: the web server, a Celery worker and Celery beat, together.

Why not honcho: it ends every process when one exits, so a worker dying took the demo's web
server down with it. Here a process that dies is reported (name, pid, exit code) and started
again after a short pause (1, 2, 4 … up to 30 s); one that dies five times within a minute is
left down, with a message, while the others keep running. Ctrl-C (or SIGTERM) stops them all.

Every line a process prints is shown prefixed with its name and also appended to the log file
(``RUN_LOG``, default ``.data/run.log``). Each process runs in its own process group, so the
pool children of a dead worker are cleaned up with it.

    python -m organizer.supervise [Procfile]     # default: Procfile.dev
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

GIVE_UP_AFTER = 5  # deaths …
GIVE_UP_WINDOW = 60.0  # … within this many seconds
MAX_PAUSE = 30.0


@dataclass
class Proc:
    name: str
    command: str
    popen: subprocess.Popen | None = None
    deaths: list[float] = field(default_factory=list)
    restart_at: float | None = None
    given_up: bool = False


class Supervisor:
    def __init__(self, procs: list[Proc], log_path: Path | None) -> None:
        self.procs = procs
        self.width = max(len(p.name) for p in [*procs, Proc("supervisor", "")])
        self.lock = threading.Lock()
        self.log = None
        if log_path:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            self.log = log_path.open("a", buffering=1)
        self.stopping = False

    def say(self, name: str, line: str) -> None:
        text = f"{time.strftime('%H:%M:%S')} {name.ljust(self.width)} | {line.rstrip()}\n"
        with self.lock:
            sys.stdout.write(text)
            sys.stdout.flush()
            if self.log:
                self.log.write(text)

    def start(self, proc: Proc) -> None:
        proc.popen = subprocess.Popen(  # noqa: S603 - commands from our own Procfile
            ["/bin/sh", "-c", f"exec {proc.command}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: see _kill_group
            text=True,
            errors="replace",
        )
        proc.restart_at = None
        self.say("supervisor", f"{proc.name} started (pid {proc.popen.pid})")
        threading.Thread(target=self._pump, args=(proc, proc.popen), daemon=True).start()

    def _pump(self, proc: Proc, popen: subprocess.Popen) -> None:
        for line in popen.stdout:
            self.say(proc.name, line)

    @staticmethod
    def _kill_group(popen: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(popen.pid, sig)

    def _died(self, proc: Proc, now: float) -> None:
        popen = proc.popen
        code = popen.returncode
        how = f"signal {-code}" if code < 0 else f"exit code {code}"
        self._kill_group(popen)  # a dead worker's pool children, if any are left
        proc.popen = None
        proc.deaths = [t for t in proc.deaths if now - t < GIVE_UP_WINDOW] + [now]
        others = ", ".join(p.name for p in self.procs if p is not proc and p.popen) or "nothing"
        if len(proc.deaths) >= GIVE_UP_AFTER:
            proc.given_up = True
            self.say(
                "supervisor",
                f"{proc.name} (pid {popen.pid}) died ({how}) {len(proc.deaths)} times within "
                f"{GIVE_UP_WINDOW:.0f}s: leaving it down; still running: {others}. "
                "Read its last lines above, fix the cause and restart `make run`.",
            )
            return
        pause = min(2.0 ** (len(proc.deaths) - 1), MAX_PAUSE)
        proc.restart_at = now + pause
        self.say(
            "supervisor",
            f"{proc.name} (pid {popen.pid}) died ({how}); restarting it in {pause:.0f}s; "
            f"still running: {others}",
        )

    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)
        for proc in self.procs:
            self.start(proc)
        while not self.stopping:
            now = time.monotonic()
            for proc in self.procs:
                if proc.popen is not None and proc.popen.poll() is not None:
                    self._died(proc, now)
                elif proc.popen is None and proc.restart_at and now >= proc.restart_at:
                    self.start(proc)
            time.sleep(0.2)
        return self.stop_all()

    def _on_signal(self, signum, frame) -> None:
        self.stopping = True

    def stop_all(self) -> int:
        self.say("supervisor", "stopping everything")
        running = [p.popen for p in self.procs if p.popen is not None]
        for popen in running:
            self._kill_group(popen, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for popen in running:
            try:
                popen.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self._kill_group(popen, signal.SIGKILL)
                popen.wait(timeout=5)
        return 0


def read_procfile(path: Path) -> list[Proc]:
    procs = []
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_-]+):\s*(.+)$", line.strip())
        if match and not line.lstrip().startswith("#"):
            procs.append(Proc(match.group(1), match.group(2)))
    if not procs:
        raise SystemExit(f"{path}: no processes")
    return procs


def main(argv: list[str]) -> int:
    procfile = Path(argv[1] if len(argv) > 1 else "Procfile.dev")
    log = os.environ.get("RUN_LOG", ".data/run.log")
    return Supervisor(read_procfile(procfile), Path(log) if log else None).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
