"""The emotion reader: labels, cues, negation and politeness, typing signals, typos, trend."""

from __future__ import annotations

import dataclasses
import time

import pytest

from actions.emotion import LABELS, EmotionReading, read_emotion, trend


def read(text: str, lang: str = "en") -> EmotionReading:
    return read_emotion(text=text, lang=lang)


@pytest.mark.parametrize(("text", "lang", "label"), [
    ("What's my balance?", "en", "calm"),
    ("¿Cuánto debo?", "es", "calm"),
    ("this is so frustrating, third time I'm writing", "en", "frustrated"),
    ("estoy harta", "es", "frustrated"),
    ("I'm furious, you people are thieves", "en", "angry"),
    ("es una vergüenza", "es", "angry"),
    ("wtf is this bill", "en", "angry"),
    ("I'm desperate, I don't know what to do", "en", "distressed"),
    ("no puedo pagar", "es", "distressed"),
    ("mi bebé no tiene agua", "es", "distressed"),
    ("estoy desesperada, por favor ayúdenme", "es", "distressed"),
    ("I'm scared", "en", "anxious"),
    ("tengo miedo de que me corten el agua", "es", "anxious"),
    ("I'm worried they'll shut off my water", "en", "anxious"),
])
def test_labels_in_both_languages(text: str, lang: str, label: str) -> None:
    assert read(text, lang).label == label


@pytest.mark.parametrize(("text", "lang", "cue"), [
    ("estoy harta", "es", "estoy harta"),
    ("es una vergüenza", "es", "es una vergüenza"),
    ("no puedo pagar", "es", "no puedo pagar"),
    ("mi bebé está enfermo", "es", "bebé"),
    ("I'm scared", "en", "scared"),
    ("I'm desperate", "en", "desperate"),
    ("wtf", "en", "wtf"),
    ("I'm calling my lawyer", "en", "lawyer"),
    ("voy a hablar con mi abogado", "es", "abogado"),
    ("I'll go to channel 7 with this", "en", "channel 7"),
    ("voy a llamar a las noticias", "es", "noticias"),
])
def test_cues_name_what_drove_the_reading(text: str, lang: str, cue: str) -> None:
    assert cue in read(text, lang).cues


@pytest.mark.parametrize(("text", "lang"), [
    ("I'm going to call my lawyer", "en"),
    ("voy a hablar con mi abogado", "es"),
    ("I'm calling the news", "en"),
    ("voy a llamar a las noticias", "es"),
    ("channel seven will hear about this", "en"),
])
def test_threats_read_as_anger(text: str, lang: str) -> None:
    assert read(text, lang).label == "angry"


def test_neutral_message_is_calm_with_no_cues() -> None:
    reading = read("I'd like to set up autopay for account 1000001")
    assert reading == EmotionReading(label="calm", valence=0.0, intensity=0.0, cues=())


@pytest.mark.parametrize("text", ["Is there a water outage today?",
                                  "any outages on my street?"])
def test_an_outage_is_not_a_misspelt_outrage(text: str) -> None:
    assert read(text).label == "calm"


# --- negation and politeness pull toward calm ------------------------------------------------

@pytest.mark.parametrize(("text", "lang", "cue"), [
    ("I'm not angry, just confused", "en", "not angry"),
    ("no estoy enojado, solo tengo una pregunta", "es", "not enojado"),
    ("I'm not worried about it", "en", "not worried"),
    ("don't worry about it", "en", "not worry"),
    ("no estoy preocupada", "es", "not preocupada"),
])
def test_negated_feelings_read_calm(text: str, lang: str, cue: str) -> None:
    reading = read(text, lang)
    assert reading.label == "calm"
    assert cue in reading.cues
    assert reading.valence >= 0


def test_negation_does_not_cross_but() -> None:
    reading = read("I'm not angry but this is ridiculous")
    assert reading.label == "frustrated"
    assert "not angry" in reading.cues and "ridiculous" in reading.cues


def test_negation_does_not_cross_punctuation() -> None:
    assert read("No, estoy enojada", "es").label == "angry"


def test_english_no_is_not_a_negator() -> None:
    # "no water" is a determiner, not "not scared".
    assert read("no water im scared").label == "anxious"


def test_spanish_only_negators_apply_in_spanish() -> None:
    assert read("sin enojo", "es").label == "calm"
    assert read("sin enojo", "en").label == "angry"


def test_politeness_turns_shouting_calm() -> None:
    assert read("PLEASE CALL ME BACK THANK YOU").label == "calm"


def test_politeness_softens_a_complaint() -> None:
    plain = read("this is ridiculous")
    polite = read("thank you, but this is ridiculous")
    assert plain.label == polite.label == "frustrated"
    assert polite.intensity < plain.intensity
    assert polite.valence > plain.valence


def test_thanks_reads_positive() -> None:
    reading = read("Thank you so much, muy amable")
    assert reading.label == "calm" and reading.valence > 0


def test_sarcastic_thanks_is_anger() -> None:
    assert read("thanks for nothing").label == "angry"
    assert read("gracias por nada", "es").label == "angry"


# --- typing signals ----------------------------------------------------------------------------

def test_all_caps_reads_frustrated() -> None:
    reading = read("MY BILL IS WRONG")
    assert reading.label == "frustrated" and "ALL CAPS" in reading.cues


def test_caps_account_line_is_not_shouting() -> None:
    assert read("ACCT 1000002 ZIP 92694").label == "calm"


def test_short_caps_word_is_not_shouting() -> None:
    assert "ALL CAPS" not in read("OK thanks").cues


@pytest.mark.parametrize(("text", "cue"), [
    ("why is my bill so high???", "???"),
    ("why is my bill so high!!!", "!!!"),
    ("¿¿por qué tan alto??", "???"),
    ("are you kidding me?!", "?!"),
])
def test_repeated_punctuation_and_elongation_are_cues(text: str, cue: str) -> None:
    reading = read(text)
    assert reading.label == "frustrated" and cue in reading.cues


def test_elongation_is_a_cue_that_intensifies() -> None:
    stretched = read("sooo frustrating")
    assert "elongated" in stretched.cues
    assert stretched.intensity > read("so frustrating").intensity
    assert read("nooooo").label == "calm"  # stretching alone is not a feeling


def test_www_is_not_elongation() -> None:
    assert read("I saw it on www.example.com").cues == ()


def test_shouted_frustration_escalates_to_anger() -> None:
    assert read("this is ridiculous and unacceptable").label == "frustrated"
    reading = read("THIS IS RIDICULOUS AND UNACCEPTABLE!!!")
    assert reading.label == "angry"
    assert reading.cues == ("ridiculous", "unacceptable", "ALL CAPS", "!!!")


def test_shouting_raises_intensity() -> None:
    assert read("this is ridiculous!!!").intensity > read("this is ridiculous").intensity


@pytest.mark.parametrize(("text", "lang"), [
    ("this is bullshit", "en"),
    ("what the fuck is this", "en"),
    ("f*** this district", "en"),
    ("sh*t service", "en"),
    ("pinches ladrones", "es"),
    ("qué mierda de servicio", "es"),
])
def test_profanity_reads_angry(text: str, lang: str) -> None:
    reading = read(text, lang)
    assert reading.label == "angry" and "profanity" in reading.cues


def test_profane_words_do_not_match_inside_other_words() -> None:
    for text in ("hello, I have a class question", "my assessment notice", "I use C#, at work"):
        assert read(text).label == "calm", text


# --- typos -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "label", "cue"), [
    ("this is so frustated", "frustrated", "frustrated"),
    ("Im desparate", "distressed", "desperate"),
    ("im furiuos", "angry", "furious"),
    ("ridiculus bill", "frustrated", "ridiculous"),
    ("this is unaceptable", "frustrated", "unacceptable"),
])
def test_common_typos_still_read(text: str, label: str, cue: str) -> None:
    reading = read(text)
    assert reading.label == label and cue in reading.cues


@pytest.mark.parametrize("text", ["I'm curious about my bill", "my irrigated lawn is brown",
                                  "that's terrific", "the separate meter"])
def test_real_words_near_feeling_words_stay_calm(text: str) -> None:
    assert read(text).label == "calm"


# --- distress, pleas and fear ------------------------------------------------------------------

def test_plea_alone_is_polite() -> None:
    assert read("please help me understand my bill").label == "calm"


def test_shouted_or_stacked_plea_is_distress() -> None:
    assert read("PLEASE HELP ME NOW!!!").label == "distressed"
    assert read("please help, urgent, ayúdenme").label == "distressed"


def test_fear_for_a_baby_is_distress_not_anxiety() -> None:
    assert read("I'm scared, my baby has no water").label == "distressed"


def test_hardship_is_distress() -> None:
    for text, lang in [("I lost my job and can't afford this", "en"),
                       ("perdí mi trabajo y no me alcanza", "es")]:
        assert read(text, lang).label == "distressed", text


def test_anger_beats_frustration_when_both_present() -> None:
    assert read("this is ridiculous, wtf").label == "angry"


# --- the reading itself ------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "ok", "WTF!!! SCAM SCAM SCAM you THIEVES f*** this!!!???",
                                  "thank you thank you thank you gracias gracias",
                                  "desperate desperate desperate desperate desperate"])
def test_values_stay_in_range(text: str) -> None:
    reading = read(text)
    assert reading.label in LABELS
    assert -1.0 <= reading.valence <= 1.0
    assert 0.0 <= reading.intensity <= 1.0
    assert isinstance(reading.cues, tuple) and all(isinstance(c, str) for c in reading.cues)


def test_cues_are_not_repeated() -> None:
    assert read("scam scam scam").cues == ("scam",)


def test_reading_is_frozen_and_validated() -> None:
    reading = read("hello")
    with pytest.raises(dataclasses.FrozenInstanceError):
        reading.label = "angry"  # type: ignore[misc]
    with pytest.raises(ValueError):
        EmotionReading(label="happy", valence=0.0, intensity=0.0)
    with pytest.raises(ValueError):
        EmotionReading(label="calm", valence=-1.5, intensity=0.0)
    with pytest.raises(ValueError):
        EmotionReading(label="calm", valence=0.0, intensity=1.2)
    assert EmotionReading(label="calm", valence=0, intensity=0, cues=["a"]).cues == ("a",)


def test_arguments_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        read_emotion("hello", "en")  # type: ignore[misc]


def test_long_email_reads_quickly() -> None:
    text = "I have been a customer for twenty years and I am writing about my account. " * 150
    start = time.perf_counter()
    assert read(text + " This is unacceptable.").label == "frustrated"
    assert time.perf_counter() - start < 2.0


# --- trend -------------------------------------------------------------------------------------

def r(valence: float, label: str = "frustrated") -> EmotionReading:
    return EmotionReading(label=label, valence=valence, intensity=abs(valence), cues=())


@pytest.mark.parametrize(("valences", "expected"), [
    ([], "steady"),
    ([-0.9], "steady"),
    ([0.0, -0.5], "worsening"),
    ([0.2, -0.1, -0.6], "worsening"),
    ([-0.8, -0.4, 0.0], "improving"),
    ([-0.3, -0.3, -0.3], "steady"),
    ([0.0, -0.1, -0.2], "steady"),  # too small a move
    ([0.0, -0.6, -0.2], "steady"),  # not a steady move
    ([-0.2, -0.22, -0.6], "worsening"),
    ([0.5, 0.0, -0.5, -0.5, -0.5], "steady"),  # only the last three count
    ([-0.9, -0.5, -0.1, -0.1, -0.4], "worsening"),
])
def test_trend(valences: list[float], expected: str) -> None:
    assert trend([r(v) for v in valences]) == expected


def test_trend_of_real_readings() -> None:
    readings = [read("Hi, I have a question about my bill, thanks"),
                read("that doesn't make sense, this is frustrating"),
                read("WTF THIS IS A SCAM!!!")]
    assert [x.label for x in readings] == ["calm", "frustrated", "angry"]
    assert trend(readings) == "worsening"
    assert trend(list(reversed(readings))) == "improving"
