"""Runs `rasa train` with its whole output in a log file and its progress on one line:

    [train] 2m14s  DIETClassifier, epoch 12/28  (5 components done)

rewritten in place when stderr is a terminal; otherwise a plain line when the step changes, or
every 30 s. When training fails, the last lines of the log follow. Exits with the command's
code. Standard library only (it runs in the bot's interpreter, before anything else exists).

    python scripts/train_progress.py LOG -- COMMAND [ARG...]
"""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time

STARTING = re.compile(r"Starting to train component '([^']+)'")
FINISHED = re.compile(r"Finished training component '([^']+)'")
RESTORED = re.compile(r"Restored component '([^']+)' from cache")
BAR = re.compile(r"^\s*([^:|]{1,40}):\s+\d+%\|[^|]*\|\s*(\d+)/(\d+)")
STEPS = [(re.compile(r"Started validating domain and training data"), "checking the data"),
         (re.compile(r"Training NLU model|Starting to train component"), "training"),
         (re.compile(r"Your Rasa model is trained and saved"), "saving the model")]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\([0-9A-Za-z]")


def clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m}m{s:02d}s" if m else f"{s}s"


class Progress:
    """What the training is doing, read from its output one line (or tqdm update) at a time."""

    def __init__(self) -> None:
        self.step = "starting (loading TensorFlow and Rasa)"
        self.component: str | None = None
        self.bar: str | None = None
        self.done = 0

    def feed(self, line: str) -> None:
        line = ANSI.sub("", line)
        if m := STARTING.search(line):
            self.component, self.bar = m.group(1), None
        elif FINISHED.search(line) or RESTORED.search(line):
            self.done += 1
            self.component, self.bar = None, None
        elif m := BAR.match(line):
            what, n, total = m.group(1).strip(), m.group(2), m.group(3)
            self.bar = f"epoch {n}/{total}" if what == "Epochs" else f"{what.lower()} {n}/{total}"
        for pattern, step in STEPS:
            if pattern.search(line):
                self.step = step

    def between_components(self) -> bool:
        """One finished, the next not started yet: a moment, not worth a line of its own."""
        return self.component is None and self.step == "training" and self.done > 0

    def coarse(self) -> str:
        """The text without its counters: a change of it is worth a line of its own."""
        return self.component or self.step

    def text(self) -> str:
        what = self.component or self.step
        if self.bar:
            what += f", {self.bar}"
        if self.done:
            what += f"  ({self.done} component{'s' if self.done > 1 else ''} done)"
        return what


def tail(path: str, n: int = 30) -> list[str]:
    with open(path, "rb") as f:
        f.seek(max(0, f.seek(0, os.SEEK_END) - 256 * 1024))
        text = ANSI.sub("", f.read().decode("utf-8", "replace"))
    return [s.rstrip()[:300] for s in text.splitlines() if s.strip()][-n:]


def run(log_path: str, argv: list[str], out=sys.stderr, tty: bool | None = None,
        every: float = 30.0) -> int:
    tty = out.isatty() if tty is None else tty
    width = max(40, shutil.get_terminal_size((100, 20)).columns or 100) - 1  # 0 on some ptys
    started = time.monotonic()
    progress, shown, last_line = Progress(), "", 0.0

    def show() -> None:
        nonlocal shown, last_line
        line = f"[train] {clock(time.monotonic() - started)}  {progress.text()}"
        if tty:
            if line != shown:
                out.write("\r\x1b[K" + line[:width])
                out.flush()
                shown = line
        elif time.monotonic() - last_line >= every or (
                progress.coarse() != shown and not progress.between_components()):
            out.write(line + "\n")
            out.flush()
            shown, last_line = progress.coarse(), time.monotonic()

    # Ctrl-C reaches the training too (the same process group): let it stop, then say so.
    interrupted = []
    signal.signal(signal.SIGINT, lambda *_: interrupted.append(True))
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        assert proc.stdout is not None
        fd, pending = proc.stdout.fileno(), b""
        show()
        while True:
            ready, _, _ = select.select([fd], [], [], 1.0)
            if not ready:
                show()  # the clock moves on while the training says nothing
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            # tqdm redraws its bar with \r: in the log, each redraw is a line of its own.
            log.write(chunk.replace(b"\r", b"\n"))
            log.flush()
            pieces = re.split(rb"[\r\n]", pending + chunk)
            pending = pieces.pop()
            for piece in pieces:
                progress.feed(piece.decode("utf-8", "replace"))
                show()
        if pending:
            progress.feed(pending.decode("utf-8", "replace"))
        code = proc.wait()
    if tty:
        out.write("\r\x1b[K")
        out.flush()
    if interrupted:
        out.write("[train] interrupted\n")
        out.flush()
        return 130
    if code != 0:
        out.write(f"[train] training failed ({'interrupted' if code < 0 else f'exit {code}'}); "
                  f"the last lines of {log_path}:\n")
        out.write("".join(f"    | {s}\n" for s in tail(log_path)))
        out.flush()
    return 128 - code if code < 0 else code


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        sys.stderr.write(__doc__)
        return 2
    return run(argv[0], argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
