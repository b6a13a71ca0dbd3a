"""The supervisor on small stand-in services: restarts with backoff, gives up on a crash loop
while the others carry on, stops its children on a signal, and leaves none behind when it is
killed outright (the kernel's parent-death signal, then the state file on the next start)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.utils.processes import Output
from tests.utils.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
SUPERVISE = ROOT / "scripts" / "supervise.py"
SLEEPER = f"{sys.executable} -c 'import time; time.sleep(600)'"
# Ignores SIGTERM, as a hung service would: only SIGKILL ends it.
STUBBORN = (f"{sys.executable} -c 'import signal, time; "
            "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)'")


def supervise(*args: str) -> tuple[subprocess.Popen, Output]:
    proc = subprocess.Popen([sys.executable, str(SUPERVISE), *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return proc, Output(proc)


def service(name: str, cmd: str) -> list[str]:
    return ["--service", name, f"http://{name}", cmd]


def pid_of(out: Output, name: str, after: int = 0) -> int:
    """The pid in the after-th (0-based) 'started NAME (pid N)' line, waiting for it."""
    def nth(_line: str) -> bool:
        return len([s for s in out.lines if f"started {name} (pid" in s]) > after
    out.wait_for(nth, timeout=20)
    line = [s for s in out.lines if f"started {name} (pid" in s][after]
    return int(re.search(r"pid (\d+)", line).group(1))  # type: ignore[union-attr]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_gone(pids: list[int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(p) for p in pids), [p for p in pids if alive(p)]


def stop(proc: subprocess.Popen, out: Output) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=20)
    out.wait_for(lambda s: s.endswith("stopped") or "every service" in s, timeout=5)
    return code


def test_a_killed_child_is_restarted_by_name_and_the_others_carry_on(tmp_path):
    proc, out = supervise(*service("one", SLEEPER), *service("two", SLEEPER),
                          "--backoff", "0.2", "--state-file", str(tmp_path / "state.json"))
    try:
        one, two = pid_of(out, "one"), pid_of(out, "two")
        os.kill(one, signal.SIGKILL)
        out.wait_for(lambda s: "one was killed by SIGKILL" in s and "restarting it in 0.2s" in s
                     and "the others carry on" in s, timeout=10)
        again = pid_of(out, "one", after=1)
        assert again != one and alive(again) and alive(two)
        # The state file names the children now running, for a supervisor's successor.
        state = json.loads((tmp_path / "state.json").read_text())
        assert state["supervisor"]["pid"] == proc.pid
        assert {k: v["pgid"] for k, v in state["children"].items()} == {"one": again, "two": two}
    finally:
        assert stop(proc, out) == 0, out.text
    wait_gone([again, two], timeout=5)
    assert not (tmp_path / "state.json").exists()


def test_quick_deaths_back_off_exponentially_then_the_supervisor_gives_up_on_that_one():
    proc, out = supervise(*service("flaky", "sh -c 'exit 3'"), *service("steady", SLEEPER),
                          "--backoff", "0.1", "--backoff-cap", "0.4", "--give-up-after", "4")
    try:
        steady = pid_of(out, "steady")
        out.wait_for(lambda s: "giving up on" in s, timeout=20)
        delays = [float(m.group(1)) for m in (re.search(r"flaky exited with code 3 .*"
                                                        r"restarting it in ([\d.]+)s", s)
                                              for s in out.lines) if m]
        assert delays == [0.1, 0.2, 0.4, 0.4]  # doubled, then capped
        assert any(s.startswith("[waterdesk] flaky exited with code 3") and "giving up on it"
                   in s for s in out.lines)
        time.sleep(0.5)
        assert proc.poll() is None and alive(steady)  # the steady one carries on
    finally:
        assert stop(proc, out) == 0, out.text


def test_a_service_that_stayed_up_restarts_after_the_first_delay_again():
    cmd = f"{sys.executable} -c 'import time; time.sleep(0.6); raise SystemExit(1)'"
    proc, out = supervise(*service("short", cmd), "--backoff", "0.1",
                          "--stable-after", "0.5", "--give-up-after", "2")
    try:
        out.wait_for(lambda s: len([x for x in out.lines if "restarting it in" in x]) >= 4,
                     timeout=20)
        delays = [re.search(r"restarting it in ([\d.]+)s", s).group(1)  # type: ignore[union-attr]
                  for s in out.lines if "restarting it in" in s]
        assert set(delays) == {"0.1"} and not any("giving up" in s for s in out.lines)
    finally:
        assert stop(proc, out) == 0, out.text


def test_when_every_service_is_given_up_on_the_supervisor_exits_non_zero():
    proc, out = supervise(*service("broken", "sh -c 'exit 2'"), "--backoff", "0.05",
                          "--give-up-after", "2")
    assert proc.wait(timeout=20) == 1, out.text
    out.wait_for(lambda s: "every service has been given up on" in s, timeout=5)


def test_sigterm_stops_every_child_even_a_stubborn_one(tmp_path):
    proc, out = supervise(*service("calm", SLEEPER), *service("stubborn", STUBBORN),
                          "--stop-grace", "1", "--state-file", str(tmp_path / "s.json"))
    pids = [pid_of(out, "calm"), pid_of(out, "stubborn")]
    time.sleep(0.5)  # let the stubborn one install its handler
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0, out.text
    out.wait_for(lambda s: "stubborn did not stop in 1s; killing it" in s, timeout=5)
    wait_gone(pids, timeout=2)
    assert not (tmp_path / "s.json").exists()


def test_a_killed_supervisors_children_die_with_it(tmp_path):
    proc, out = supervise(*service("a", SLEEPER), *service("b", SLEEPER),
                          "--state-file", str(tmp_path / "s.json"))
    pids = [pid_of(out, "a"), pid_of(out, "b")]
    proc.kill()
    proc.wait(timeout=5)
    wait_gone(pids, timeout=5)  # PR_SET_PDEATHSIG: the kernel sent them SIGTERM


def test_the_next_start_stops_what_a_killed_supervisor_left_running(tmp_path):
    state = tmp_path / "s.json"
    proc, out = supervise(*service("stubborn", STUBBORN), *service("calm", SLEEPER),
                          "--state-file", str(state))
    left = [pid_of(out, "stubborn"), pid_of(out, "calm")]
    time.sleep(0.5)
    proc.kill()
    proc.wait(timeout=5)
    wait_gone(left[1:], timeout=5)
    time.sleep(0.5)
    assert alive(left[0])  # it ignored its parent-death SIGTERM and still holds its resources
    nxt, out2 = supervise(*service("calm", SLEEPER), "--state-file", str(state),
                          "--stop-grace", "1")
    try:
        out2.wait_for(lambda s: f"stopping stubborn (process group {left[0]}), left running"
                      in s, timeout=10)
        wait_gone(left[:1], timeout=5)
        pid_of(out2, "calm")  # and only then does it start its own
    finally:
        assert stop(nxt, out2) == 0, out2.text


def test_a_second_supervisor_on_a_live_state_file_refuses_to_start(tmp_path):
    state = str(tmp_path / "s.json")
    first, out = supervise(*service("a", SLEEPER), "--state-file", state)
    try:
        pid_of(out, "a")
        second, out2 = supervise(*service("a", SLEEPER), "--state-file", state)
        assert second.wait(timeout=10) == 1
        out2.wait_for(lambda s: f"another supervisor (pid {first.pid})" in s, timeout=5)
        assert first.poll() is None
    finally:
        assert stop(first, out) == 0, out.text


# A file cut short, and one from before a reboot naming pid 1 (which must never be touched).
STALE = ["{not json", json.dumps({"boot_id": "another boot", "supervisor": {"pid": 1, "start": 0},
                                  "children": {"x": {"pgid": 1, "start": 0}}})]


@pytest.mark.parametrize("content", STALE)
def test_a_stale_or_unreadable_state_file_is_no_obstacle(tmp_path, content):
    state = tmp_path / "s.json"
    state.write_text(content)
    proc, out = supervise(*service("a", SLEEPER), "--state-file", str(state))
    try:
        pid_of(out, "a")
        assert alive(1)  # never touched: it belonged to another boot
    finally:
        assert stop(proc, out) == 0, out.text


# --- logs and readiness -------------------------------------------------------------------------

def http_service(port: int, delay: float = 0.0) -> str:
    """Says a few words on stdout and stderr, then serves HTTP on `port` after `delay` seconds."""
    code = ("import http.server as h, sys, time; print('web: hello on stdout', flush=True); "
            "print('web: about to serve', file=sys.stderr, flush=True); "
            f"time.sleep({delay}); "
            f"h.ThreadingHTTPServer(('127.0.0.1', {port}), h.SimpleHTTPRequestHandler)"
            ".serve_forever()")
    return f'{sys.executable} -c "{code}"'


def tcp_service(port: int) -> str:
    code = ("import socket, time; s = socket.socket(); "
            "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
            f"s.bind(('127.0.0.1', {port})); s.listen(); time.sleep(600)")
    return f'{sys.executable} -c "{code}"'


def log_has(path: Path, text: str) -> bool:
    return path.exists() and text in path.read_text()


def wait_until(predicate, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_one_ready_line_once_every_service_answers_and_their_output_goes_to_log_files(tmp_path):
    web, smtp, logs = free_port(), free_port(), tmp_path / "log"
    proc, out = supervise(
        *service("web", http_service(web, delay=1.5)), "--ready", "web", f"http://127.0.0.1:{web}/",
        *service("mail", tcp_service(smtp)), "--ready", "mail", f"tcp://127.0.0.1:{smtp}",
        *service("quiet", SLEEPER),  # no probe: up once started
        "--log-dir", str(logs), "--ready-message", "see http://example.test (demo / password)")
    try:
        wait_until(lambda: log_has(logs / "web.log", "web: about to serve"), timeout=20)
        assert not any("ready in" in s for s in out.lines)  # web does not answer yet
        ready = out.wait_for(lambda s: "ready in" in s, timeout=20)
        assert re.fullmatch(r"\[waterdesk\] ready in \d+s: see http://example\.test "
                            r"\(demo / password\)", ready)
        # Everything the services say is in their logs, none of it on the supervisor's terminal.
        text = (logs / "web.log").read_text()
        assert "web: hello on stdout" in text and "web: about to serve" in text
        assert text.startswith("--- ") and "starting web" in text.splitlines()[0]
        assert {p.name for p in logs.iterdir()} == {"web.log", "mail.log", "quiet.log"}
        assert not any("web:" in s for s in out.lines)
        assert out.lines[0].startswith("[waterdesk] starting web, mail, quiet; their logs go to")
        # After a restart the service must answer again, which is said in a line of its own.
        os.kill(pid_of(out, "web"), signal.SIGKILL)
        out.wait_for(lambda s: "web answers again" in s, timeout=30)
        assert len([s for s in out.lines if "ready in" in s]) == 1
    finally:
        assert stop(proc, out) == 0, out.text
    # The next run starts each log afresh and keeps the last run's beside it.
    proc, out = supervise(*service("quiet", SLEEPER), "--log-dir", str(logs),
                          "--ready-message", "again")
    try:
        out.wait_for(lambda s: "ready in" in s, timeout=20)
    finally:
        assert stop(proc, out) == 0, out.text
    assert (logs / "quiet.log.1").exists() and (logs / "quiet.log").read_text().count("--- ") == 1


def test_the_ready_line_counts_from_since_when_the_run_command_began(tmp_path):
    proc, out = supervise(*service("a", SLEEPER), "--log-dir", str(tmp_path),
                          "--ready-message", "up", "--since", str(time.time() - 100))
    try:
        ready = out.wait_for(lambda s: "ready in" in s, timeout=20)
        seconds = int(re.search(r"ready in (\d+)s", ready).group(1))  # type: ignore[union-attr]
        assert 100 <= seconds < 130
    finally:
        assert stop(proc, out) == 0, out.text


def test_a_dead_service_is_named_with_the_last_lines_of_its_log(tmp_path):
    crash = "sh -c 'for i in $(seq 1 30); do echo line $i; done; echo boom >&2; exit 4'"
    proc, out = supervise(*service("crash", crash), *service("steady", SLEEPER),
                          "--log-dir", str(tmp_path / "log"), "--ready-message", "up",
                          "--backoff", "0.05", "--give-up-after", "3")
    try:
        out.wait_for(lambda s: "giving up on it" in s, timeout=20)
        lines = out.lines
        first = next(i for i, s in enumerate(lines) if "crash exited with code 4" in s)
        assert "restarting it in 0.05s (the others carry on)" in lines[first]
        assert lines[first + 1] == f"[waterdesk] the last lines of {tmp_path}/log/crash.log:"
        tail = lines[first + 2:first + 22]
        assert tail == [f"    | line {i}" for i in range(12, 31)] + ["    | boom"]
        # The quick deaths in between are named without it; giving up shows it again.
        assert len([s for s in lines if s.startswith("    | boom")]) == 2
        quick = [s for s in lines if "crash exited with code 4" in s]
        assert len(quick) == 4 and "giving up on it" in quick[-1]
        # Its log holds every start, each with a line saying when.
        assert (tmp_path / "log" / "crash.log").read_text().count("starting crash") == 4
        assert proc.poll() is None
    finally:
        assert stop(proc, out) == 0, out.text


def test_a_ready_probe_must_name_a_service():
    proc, out = supervise(*service("a", SLEEPER), "--ready", "b", "http://127.0.0.1:9/")
    assert proc.wait(timeout=10) == 2
    out.wait_for(lambda s: "--ready names no service: b" in s, timeout=5)


def test_a_service_without_a_port_counts_as_up_once_started_and_is_restarted_like_the_others(
        tmp_path):
    """As the run command's scheduled jobs (python -m backend.jobs): no port, no probe. The
    ready line waits only for the services that answer; killed, it starts again by itself."""
    web = free_port()
    proc, out = supervise(
        *service("web", http_service(web, delay=1.0)), "--ready", "web", f"http://127.0.0.1:{web}/",
        *service("jobs", SLEEPER), "--log-dir", str(tmp_path / "log"), "--ready-message", "up",
        "--backoff", "0.1")
    try:
        first = pid_of(out, "jobs")
        out.wait_for(lambda s: "ready in" in s, timeout=20)
        os.kill(first, signal.SIGKILL)
        out.wait_for(lambda s: "jobs was killed by SIGKILL" in s
                     and "restarting it in 0.1s (the others carry on)" in s, timeout=10)
        assert pid_of(out, "jobs", after=1) != first
        out.wait_for(lambda s: "jobs answers again" in s, timeout=10)
        assert alive(pid_of(out, "web")) and len([s for s in out.lines if "ready in" in s]) == 1
    finally:
        assert stop(proc, out) == 0, out.text
