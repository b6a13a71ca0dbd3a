"""When a supervised service answers: its probes (an HTTP URL that must answer below 400, or
tcp://HOST:PORT that must accept a connection), each tried on a thread of its own so a server
that accepts but never answers can't hold up the supervisor. Standard library only; used by
scripts/supervise.py."""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request
from urllib.parse import urlsplit

# Loopback services: never through a proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def answers(probe: str, timeout: float = 2.0) -> bool:
    """One try of one probe."""
    parts = urlsplit(probe)
    if parts.scheme == "tcp":
        try:
            with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0),
                                          timeout=timeout):
                return True
        except OSError:
            return False
    try:
        with _OPENER.open(probe, timeout=timeout) as resp:
            return int(resp.status) < 400
    except urllib.error.HTTPError as exc:
        return exc.code < 400
    except (urllib.error.URLError, OSError, ValueError):
        return False


class Readiness:
    """Which services answer all their probes, per start of each service: a start after a
    restart must answer again before it counts as up."""

    def __init__(self, probes: dict[str, list[str]], *, interval: float = 0.5,
                 timeout: float = 2.0) -> None:
        self.probes, self.interval, self.timeout = probes, interval, timeout
        self._lock = threading.Lock()
        self._generation: dict[str, int] = {}
        self._up: dict[str, bool] = {}
        self._busy: dict[str, bool] = {}
        self._next: dict[str, float] = {}

    def started(self, name: str) -> None:
        """A new start of `name`: not up until its probes answer."""
        with self._lock:
            self._generation[name] = self._generation.get(name, 0) + 1
            self._up[name] = not self.probes.get(name)  # no probes: up once started
            self._next[name] = 0.0

    def stopped(self, name: str) -> None:
        with self._lock:
            self._generation[name] = self._generation.get(name, 0) + 1
            self._up[name] = False
            self._next[name] = float("inf")

    def is_up(self, name: str) -> bool:
        with self._lock:
            return self._up.get(name, False)

    def poll(self, now: float) -> None:
        """Starts a round of probes for each service that is not up yet and is due one."""
        with self._lock:
            due = [n for n, t in self._next.items()
                   if not self._up.get(n) and not self._busy.get(n) and now >= t]
            rounds = []
            for name in due:
                self._busy[name] = True
                self._next[name] = now + self.interval
                rounds.append((name, self._generation[name]))
        for name, generation in rounds:
            threading.Thread(target=self._round, args=(name, generation), daemon=True,
                             name=f"probe-{name}").start()

    def _round(self, name: str, generation: int) -> None:
        ok = all(answers(p, self.timeout) for p in self.probes.get(name, []))
        with self._lock:
            self._busy[name] = False
            if ok and self._generation.get(name) == generation:
                self._up[name] = True

