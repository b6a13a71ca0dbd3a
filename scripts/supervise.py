"""Runs WaterDesk's services as one group: restarts a child that dies (by name, with backoff,
showing the last lines of its log) while the others carry on, says once when every service
answers, and stops everything on one Ctrl-C.

With --log-dir each service's output goes to `<dir>/<name>.log` (scripts/servicelog.py) and the
terminal keeps only the supervisor's own lines; --ready probes say when a service answers
(scripts/readiness.py), and one "ready" line follows when they all do.

Children die with the supervisor even when it is killed outright: each asks the kernel for a
SIGTERM when its parent dies (PR_SET_PDEATHSIG), and the supervisor records their process
groups in a state file, so the next start stops whatever a killed supervisor left behind.
Standard library only."""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from readiness import Readiness
from servicelog import ServiceLog, shown

PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Policy:
    first: float = 1.0  # seconds before the first restart; doubled after each quick death
    cap: float = 30.0
    # Up this long counts as a good start: the next death restarts after `first` again.
    stable: float = 60.0
    # Quick deaths in a row before the supervisor gives up on a service (0: never).
    give_up: int = 10

    def delay(self, failures: int) -> float:
        return min(self.cap, self.first * 2 ** max(0, failures - 1))


@dataclass
class Service:
    name: str
    argv: list[str]
    url: str
    log: ServiceLog | None = None
    proc: subprocess.Popen | None = None
    started_at: float = 0.0  # time.monotonic()
    failures: int = 0  # deaths in a row, each within policy.stable of its start
    due: float | None = None  # when a dead one starts again
    given_up: bool = False
    up: bool = False  # its probes answered since its latest start


def say(msg: str) -> None:
    print(f"[waterdesk] {msg}", flush=True)


# --- processes, as /proc sees them ------------------------------------------------------------

def proc_stat(pid: int) -> tuple[int, int] | None:
    """(process group, start time in clock ticks since boot), or None when pid is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    rest = raw[raw.rfind(")") + 2:].split()  # the name may hold spaces and parentheses
    if rest[0] == "Z":  # a zombie holds its pid but nothing else
        return None
    return int(rest[2]), int(rest[19])


def group_members(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = proc_stat(int(entry))
            if stat and stat[0] == pgid:
                pids.append(int(entry))
    return pids


def boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def die_with(parent: int, libc: ctypes.CDLL):  # type: ignore[no-untyped-def]
    """Runs in the child between fork and exec: the kernel sends it SIGTERM when the supervisor
    dies, however it dies. exec keeps the setting, and `sh -c "exec CMD"` execs CMD in place."""
    def preexec() -> None:
        libc.prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGTERM), ctypes.c_ulong(0),
                   ctypes.c_ulong(0), ctypes.c_ulong(0))
        if os.getppid() != parent:  # the supervisor died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)
    return preexec


# --- the state file: what the next start needs to clean up after a killed supervisor ----------

class StateFile:
    def __init__(self, path: Path | None) -> None:
        self.path = path

    def write(self, services: list[Service]) -> None:
        if self.path is None:
            return
        me = proc_stat(os.getpid())
        children = {}
        for s in services:
            stat = proc_stat(s.proc.pid) if s.proc else None
            if s.proc and stat:
                children[s.name] = {"pgid": s.proc.pid, "start": stat[1]}
        state = {"boot_id": boot_id(), "children": children,
                 "supervisor": {"pid": os.getpid(), "start": me[1] if me else 0}}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(state, indent=1))
        os.replace(tmp, self.path)  # a reader never sees half a file

    def remove(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def clean_leftovers(self, grace: float = 10.0) -> bool:
        """Stops the children of a supervisor that was killed; False when it is still running."""
        if self.path is None or not self.path.exists():
            return True
        try:
            state = json.loads(self.path.read_text())
            sup, children = state["supervisor"], state["children"]
        except (OSError, ValueError, KeyError, TypeError):
            say(f"ignoring an unreadable {self.path}")
            return True
        if state.get("boot_id") != boot_id():
            return True  # a reboot ended them all
        stat = proc_stat(int(sup["pid"]))
        if stat and stat[1] == sup["start"] and sup["pid"] != os.getpid():
            say(f"another supervisor (pid {sup['pid']}) runs from {self.path}; stop it first")
            return False
        left = {}
        for name, child in children.items():
            pgid, start = int(child["pgid"]), int(child["start"])
            leader = proc_stat(pgid)
            if leader and leader[1] != start:
                continue  # that pid now belongs to someone else
            if group_members(pgid):
                left[name] = pgid
        for name, pgid in left.items():
            say(f"stopping {name} (process group {pgid}), left running by a supervisor that died")
            kill_group(pgid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while any(group_members(g) for g in left.values()) and time.monotonic() < deadline:
            time.sleep(0.1)
        for pgid in left.values():
            kill_group(pgid, signal.SIGKILL)
        while any(group_members(g) for g in left.values()) and time.monotonic() < deadline + 5:
            time.sleep(0.1)
        return True


# --- the group ---------------------------------------------------------------------------------

def describe(rc: int) -> str:
    if rc < 0:
        try:
            return f"was killed by {signal.Signals(-rc).name}"
        except ValueError:
            return f"was killed by signal {-rc}"
    return f"exited with code {rc}"


class Supervisor:
    def __init__(self, services: list[Service], *, policy: Policy, state: StateFile,
                 grace: float = 10.0, readiness: Readiness | None = None,
                 ready_message: str | None = None, since: float | None = None,
                 log_dir: Path | None = None) -> None:
        self.services, self.policy, self.state, self.grace = services, policy, state, grace
        self.readiness, self.ready_message, self.log_dir = readiness, ready_message, log_dir
        # The ready line counts from `since` (a Unix time: when the run command began).
        self.t0 = time.monotonic() - (time.time() - since if since else 0.0)
        self.ready_at: float | None = None
        self.stopping = False
        self.libc = ctypes.CDLL(None, use_errno=True)

    def start(self, s: Service) -> None:
        out = s.log.open_for_start() if s.log else None
        try:
            # Each child in its own process group, so Ctrl-C reaches the supervisor only, which
            # stops them in order; and a group can be stopped whole, helpers included.
            s.proc = subprocess.Popen(s.argv, env=os.environ.copy(), start_new_session=True,
                                      preexec_fn=die_with(os.getpid(), self.libc),
                                      stdin=None if out is None else subprocess.DEVNULL,
                                      stdout=out, stderr=None if out is None else subprocess.STDOUT)
        finally:
            if out is not None:
                os.close(out)
        s.started_at, s.due, s.up = time.monotonic(), None, False
        if self.readiness:
            self.readiness.started(s.name)
        say(f"started {s.name} (pid {s.proc.pid})")
        self.state.write(self.services)

    def show_tail(self, s: Service, lines: int = 20) -> None:
        """The last lines the dead service wrote: on the first death of a series and when the
        supervisor gives up, not on every quick restart in between."""
        if s.log is None or (s.failures > 1 and not s.given_up):
            return
        tail = s.log.tail(lines)
        if not tail:
            say(f"{s.name} wrote nothing to {shown(s.log.path)}")
            return
        say(f"the last lines of {shown(s.log.path)}:")
        print("\n".join(f"    | {line}" for line in tail), flush=True)

    def check(self, s: Service, now: float) -> None:
        """One look at one service: notice a death, schedule or make a restart."""
        if s.given_up:
            return
        if s.proc is None:
            if s.due is not None and now >= s.due:
                self.start(s)
            return
        if s.failures and now - s.started_at >= self.policy.stable:
            s.failures = 0
        rc = s.proc.poll()
        if rc is None:
            return
        up = now - s.started_at
        kill_group(s.proc.pid, signal.SIGKILL)  # anything it left behind would hold its port
        s.proc, s.up = None, False
        if self.readiness:
            self.readiness.stopped(s.name)
        s.failures = 1 if up >= self.policy.stable else s.failures + 1
        if self.policy.give_up and s.failures > self.policy.give_up:
            s.given_up = True
            say(f"{s.name} {describe(rc)} after {up:.0f}s; giving up on it after "
                f"{self.policy.give_up} quick restarts in a row (the others carry on; fix it, "
                "then restart WaterDesk)")
            self.show_tail(s)
            self.state.write(self.services)
            return
        delay = self.policy.delay(s.failures)
        s.due = now + delay
        say(f"{s.name} {describe(rc)} after {up:.0f}s; restarting it in {delay:g}s "
            "(the others carry on)")
        self.show_tail(s)
        self.state.write(self.services)

    def watch_readiness(self, now: float) -> None:
        """Notices services that answer; says "ready" once, when all of them do."""
        if self.readiness is None:
            return
        self.readiness.poll(now)
        for s in self.services:
            if s.proc is not None and not s.up and self.readiness.is_up(s.name):
                s.up = True
                if self.ready_at is not None:
                    say(f"{s.name} answers again")
        if self.ready_at is None and all(s.up for s in self.services):
            self.ready_at = now
            message = f": {self.ready_message}" if self.ready_message else ""
            say(f"ready in {now - self.t0:.0f}s{message}")

    def waiting_note(self, now: float) -> None:
        waiting = [s.name for s in self.services if not s.up and not s.given_up]
        if self.readiness and self.ready_at is None and waiting:
            where = f"; logs in {shown(self.log_dir)}/" if self.log_dir else ""
            say(f"still waiting for {', '.join(waiting)} ({now - self.t0:.0f}s{where})")

    def run(self) -> int:
        if not self.state.clean_leftovers(self.grace):
            return 1
        for s in self.services:
            if s.log:
                s.log.rotate()
        if self.ready_message is None:
            for s in self.services:
                self.start(s)
            say("WaterDesk is starting; press Ctrl-C once to stop everything")
            for s in self.services:
                say(f"  {s.name:<10} {s.url}")
        else:
            where = f"; their logs go to {shown(self.log_dir)}/" if self.log_dir else ""
            say(f"starting {', '.join(s.name for s in self.services)}{where} "
                "(Ctrl-C stops everything)")
            for s in self.services:
                self.start(s)
        code, note = 0, time.monotonic() + 30
        while not self.stopping:
            now = time.monotonic()
            for s in self.services:
                self.check(s, now)
            self.watch_readiness(now)
            if now >= note:
                self.waiting_note(now)
                note = now + 30
            if all(s.given_up for s in self.services):
                say("every service has been given up on")
                code = 1
                break
            time.sleep(0.2)
        say("stopping…")
        self.stop_all()
        self.state.remove()
        say("stopped")
        return code

    def stop_all(self) -> None:
        running = [s for s in self.services if s.proc and s.proc.poll() is None]
        for s in running:
            kill_group(s.proc.pid, signal.SIGTERM)  # type: ignore[union-attr]
        deadline = time.monotonic() + self.grace
        for s in running:
            assert s.proc is not None
            try:
                s.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{s.name} did not stop in {self.grace:.0f}s; killing it")
            kill_group(s.proc.pid, signal.SIGKILL)  # its helpers too, if any outlived it
            s.proc.wait()


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--service", action="append", nargs=3, metavar=("NAME", "URL", "CMD"),
                        default=[], help="a service: its name, its URL and its shell command")
    parser.add_argument("--replica", action="append", nargs=3, metavar=("NAME", "URL", "CMD"),
                        default=[], help="the same as --service (every service is restarted)")
    parser.add_argument("--state-file", type=Path,
                        help="where to record the children, to clean up after a killed run")
    parser.add_argument("--backoff", type=float, default=Policy.first,
                        help="seconds before the first restart; doubled on each quick death")
    parser.add_argument("--backoff-cap", type=float, default=Policy.cap)
    parser.add_argument("--stable-after", type=float, default=Policy.stable,
                        help="seconds up after which the backoff starts over")
    parser.add_argument("--give-up-after", type=int, default=Policy.give_up,
                        help="quick deaths in a row before giving up on a service (0: never)")
    parser.add_argument("--stop-grace", type=float, default=10.0)
    parser.add_argument("--log-dir", type=Path,
                        help="each service's output goes to DIR/NAME.log, not to the terminal")
    parser.add_argument("--ready", action="append", nargs=2, metavar=("NAME", "PROBE"),
                        default=[], help="NAME answers when PROBE does: an http:// URL (below "
                        "400) or tcp://HOST:PORT (accepts); repeat for several")
    parser.add_argument("--ready-message", help="said once every service answers")
    parser.add_argument("--since", type=float,
                        help="a Unix time the ready line counts from (default: now)")
    args = parser.parse_args(argv)
    if not args.service and not args.replica:
        parser.error("at least one --service is needed")
    names = {s[0] for s in args.service + args.replica}
    if unknown := {name for name, _ in args.ready} - names:
        parser.error(f"--ready names no service: {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    log_dir = args.log_dir
    services = [Service(name, ["/bin/sh", "-c", f"exec {cmd}"], url,
                        log=ServiceLog(log_dir, name) if log_dir else None)
                for name, url, cmd in args.service + args.replica]
    probes: dict[str, list[str]] = {}
    for name, probe in args.ready:
        probes.setdefault(name, []).append(probe)
    readiness = Readiness(probes) if probes or args.ready_message is not None else None
    supervisor = Supervisor(
        services, state=StateFile(args.state_file), grace=args.stop_grace,
        policy=Policy(first=args.backoff, cap=args.backoff_cap, stable=args.stable_after,
                      give_up=args.give_up_after),
        readiness=readiness, ready_message=args.ready_message, since=args.since,
        log_dir=log_dir)

    def on_signal(signum, _frame):  # type: ignore[no-untyped-def]
        supervisor.stopping = True

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
