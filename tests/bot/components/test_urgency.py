"""The urgency classifier's data and model key: what it learns from, and when it must retrain."""

import pytest
from rasa.shared.exceptions import InvalidConfigException

from bot.components.urgency import UrgencyClassifier, labelled
from common.urgency import CATEGORIES


def test_every_category_has_examples_in_both_languages():
    pairs = labelled(UrgencyClassifier.get_default_config())
    for category in CATEGORIES:
        assert sum(c == category for _, c in pairs) >= 90, category


def test_an_unknown_category_is_refused(tmp_path):
    (tmp_path / "xx.yml").write_text("panic:\n  - help\n")
    with pytest.raises(InvalidConfigException, match="panic"):
        labelled({"data": str(tmp_path)})


def test_the_model_key_changes_with_the_labelled_data(tmp_path):
    (tmp_path / "en.yml").write_text("none:\n  - hi\n")
    before = UrgencyClassifier.fingerprint_addon({"data": str(tmp_path)})
    (tmp_path / "en.yml").write_text("none:\n  - hi\n  - hello\n")
    assert UrgencyClassifier.fingerprint_addon({"data": str(tmp_path)}) != before



def test_the_fast_scorer_gives_the_pipelines_own_probabilities():
    from bot.components.linear import Scorer, build
    from common.urgency import normalize

    pairs = labelled(UrgencyClassifier.get_default_config())[::7]
    model = build(C=UrgencyClassifier.get_default_config()["C"], balanced=True).fit(
        [normalize(t) for t, _ in pairs], [c for _, c in pairs])
    scorer = Scorer(model)
    for text in ["hydrant knocked over at oso, water everywhere", "cuanto debo", "", "zzzz"]:
        expected = dict(zip(model.classes_, model.predict_proba([normalize(text)])[0]))
        got = scorer.scores(normalize(text))
        assert all(abs(got[c] - expected[c]) < 1e-5 for c in expected), text
