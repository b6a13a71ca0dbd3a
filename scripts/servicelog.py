"""Each supervised service's output in a log file of its own: `<dir>/<name>.log`, appended to on
every restart (with a line saying when and what started), the previous run's kept as
`<name>.log.1`; and the last lines of a start, to show when a service dies. Standard library
only; used by scripts/supervise.py."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\([0-9A-Za-z]")


def shown(path: Path) -> str:
    """The path as a person at the terminal would type it (relative when under the cwd)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class ServiceLog:
    def __init__(self, directory: Path, name: str) -> None:
        self.path = directory / f"{name}.log"
        self.offset = 0  # where the current start's output begins

    def rotate(self) -> None:
        """At the supervisor's start: this run's log begins empty; the last run's is kept."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists() and self.path.stat().st_size:
            os.replace(self.path, self.path.with_name(self.path.name + ".1"))

    def open_for_start(self) -> int:
        """A file descriptor for the child's stdout and stderr (the caller closes its copy)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        os.write(fd, f"--- {stamp} starting {self.path.stem}\n".encode())
        self.offset = os.lseek(fd, 0, os.SEEK_END)
        return fd

    def tail(self, lines: int = 20, limit: int = 256 * 1024) -> list[str]:
        """The last lines the current start wrote (progress bars' \\r updates as lines too,
        colour codes taken out, each line cut at 300 characters)."""
        try:
            with self.path.open("rb") as f:
                size = f.seek(0, os.SEEK_END)
                f.seek(max(self.offset, size - limit))
                data = f.read()
        except OSError:
            return []
        text = ANSI.sub("", data.decode("utf-8", "replace"))
        out = [s.rstrip() for s in re.split(r"[\r\n]+", text)]
        out = [s if len(s) <= 300 else s[:297] + "..." for s in out if s.strip()]
        return out[-lines:]
