"""Runs WaterDesk's services as one group: prints their URLs, reports a child that dies by name,
and stops everything on one Ctrl-C. Standard library only."""

import argparse
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field


@dataclass
class Service:
    name: str
    argv: list[str]
    url: str
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None
    # A replica (one of several Rasa processes) that dies is restarted; the others carry on.
    replica: bool = False


def say(msg: str) -> None:
    print(f"[waterdesk] {msg}", flush=True)


def start(service: Service) -> None:
    env = {**os.environ, **service.env}
    # Each child in its own process group, so Ctrl-C reaches the supervisor only, which stops them in order.
    service.proc = subprocess.Popen(service.argv, env=env, start_new_session=True)
    say(f"started {service.name} (pid {service.proc.pid})")


def stop_all(services: list[Service], grace: float = 10.0) -> None:
    for s in services:
        if s.proc and s.proc.poll() is None:
            os.killpg(s.proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for s in services:
        if not s.proc:
            continue
        try:
            s.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{s.name} did not stop in {grace:.0f}s; killing it")
            os.killpg(s.proc.pid, signal.SIGKILL)
            s.proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--service", action="append", nargs=3, metavar=("NAME", "URL", "CMD"),
                        required=True, help="a service: its name, its URL and its shell command")
    parser.add_argument("--replica", action="append", nargs=3, metavar=("NAME", "URL", "CMD"),
                        default=[], help="like --service, but restarted when it dies")
    args = parser.parse_args()
    services = [Service(name, ["/bin/sh", "-c", f"exec {cmd}"], url)
                for name, url, cmd in args.service]
    services += [Service(name, ["/bin/sh", "-c", f"exec {cmd}"], url, replica=True)
                 for name, url, cmd in args.replica]
    stopping = False

    def on_signal(signum, _frame):  # type: ignore[no-untyped-def]
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    for s in services:
        start(s)
    say("WaterDesk is starting; press Ctrl-C once to stop everything")
    for s in services:
        say(f"  {s.name:<10} {s.url}")
    code = 0
    while not stopping:
        time.sleep(0.5)
        for s in services:
            rc = s.proc.poll() if s.proc else None
            if rc is not None and s.replica:
                say(f"{s.name} exited with code {rc}; restarting it (the others carry on)")
                time.sleep(1)  # a replica that dies at once must not spin the CPU
                start(s)
                continue
            if rc is not None:
                say(f"{s.name} exited with code {rc}; stopping the other services")
                code = rc or 1
                stopping = True
                break
    say("stopping…")
    stop_all(services)
    say("stopped")
    return code


if __name__ == "__main__":
    sys.exit(main())
