"""The `rasa` command with skops imported first, for scripts/run and scripts/train:

    python -m bot.cli run --model MODEL ...     (any `rasa` command and its arguments)

The intent and urgency classifiers store their scikit-learn pipelines with skops. At import,
skops names every numpy and scipy ufunc by searching each loaded module for it
(skops/io/_trusted_types.py); once Rasa has loaded TensorFlow, some 5,700 modules, that search
took 7.5-10 s of every server start and training on a 2-core machine, against 1-2 s when skops
comes first. It also keeps the bot from reporting to Rasa's vendor: usage telemetry is off
unless RASA_TELEMETRY_ENABLED says otherwise, and crash reports to Sentry, which Rasa 3.6 sends
whatever that setting says, are never set up. Otherwise this is Rasa's own entry point.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    try:
        import skops.io  # noqa: F401  (see above: before Rasa, not after)
    except ImportError:  # a pipeline without skops: nothing to gain
        pass
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    import rasa.telemetry
    from rasa.__main__ import main as rasa_main

    rasa.telemetry.initialize_error_reporting = lambda: None  # a customer's words stay here

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
