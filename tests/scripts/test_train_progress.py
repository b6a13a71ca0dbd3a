"""scripts/train_progress.py on a stand-in for `rasa train`: the whole output in the log, the
progress as a few plain lines when stderr is not a terminal, the log's tail when training fails."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROGRESS = ROOT / "scripts" / "train_progress.py"
# What rasa train says, in the order it says it: warnings, a banner in colour, log lines, and
# tqdm's bar redrawn with \r on stderr.
FAKE_RASA = r"""
import sys, time
say = lambda s: print(s, flush=True)
HOOKS = "2026-12-03 13:28:45 INFO     rasa.engine.training.hooks  - "
sys.stderr.write("/x/site-packages/keras/utils.py:1: DeprecationWarning: invalid escape\n")
say("\x1b[93mUserWarning: The intent 'urgent' is not found in the NLU training data.\x1b[0m")
say("2026-12-03 13:28:19 INFO     rasa.cli.train  - "
    "Started validating domain and training data...")
say(HOOKS + "Starting to train component 'CountVectorsFeaturizer'.")
say(HOOKS + "Finished training component 'CountVectorsFeaturizer'.")
say(HOOKS + "Starting to train component 'DIETClassifier'.")
for i in range(4):
    sys.stderr.write(f"\rEpochs:  {i * 25}%|##   | {i}/4 [00:01<00:02, 3.98s/it, t_loss=6.67]")
    sys.stderr.flush()
    time.sleep(0.05)
sys.stderr.write("\n")
say(HOOKS + "Finished training component 'DIETClassifier'.")
if sys.argv[1:] == ["fail"]:
    sys.stderr.write("Traceback (most recent call last):\nValueError: the data is wrong\n")
    sys.exit(3)
say("Your Rasa model is trained and saved at 'model.tar.gz'.")
"""


def train(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, Path]:
    fake = tmp_path / "fake_rasa.py"
    fake.write_text(FAKE_RASA)
    log = tmp_path / "log" / "train.log"
    log.parent.mkdir()
    done = subprocess.run([sys.executable, str(PROGRESS), str(log), "--", sys.executable,
                           str(fake), *args], capture_output=True, text=True, timeout=60)
    return done, log


def test_the_log_holds_everything_and_the_terminal_a_few_progress_lines(tmp_path):
    done, log = train(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert all(s.startswith("[train] ") for s in lines), lines
    assert any("DIETClassifier" in s for s in lines)
    assert any("checking the data" in s for s in lines)
    assert "warning" not in done.stderr.lower() and "\x1b" not in done.stderr
    assert len(lines) <= 8  # a line per step, not one per redraw of the bar
    text = log.read_text()
    assert "DeprecationWarning: invalid escape" in text and "UserWarning" in text
    assert "Epochs:  75%|##   | 3/4" in text and "\r" not in text  # each redraw a line


def test_a_failed_training_shows_the_end_of_its_log_and_keeps_its_exit_code(tmp_path):
    done, log = train(tmp_path, "fail")
    assert done.returncode == 3
    assert f"[train] training failed (exit 3); the last lines of {log}:" in done.stderr
    assert "    | ValueError: the data is wrong" in done.stderr.splitlines()


def test_the_progress_reads_rasa_s_components_and_epochs():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from train_progress import Progress
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    p = Progress()
    p.feed("INFO rasa.engine.training.hooks  - Starting to train component 'TEDPolicy'.")
    p.feed("Epochs:  40%|████      | 12/30 [00:10<00:13, 1.2it/s, t_loss=2.1]")
    assert p.text() == "TEDPolicy, epoch 12/30"
    p.feed("INFO rasa.engine.training.hooks  - Finished training component 'TEDPolicy'.")
    p.feed("INFO rasa.engine.training.hooks  - Restored component 'RulePolicy' from cache.")
    assert p.text().endswith("(2 components done)")
