"""The urgency reading's shape, shared by the NLU component and the actions."""

from common.urgency import normalize, reading


def test_the_reading_is_read_back_from_parse_data():
    parse = {"entities": [{"entity": "zip", "value": "92688"},
                          {"entity": "urgency", "value": "threat", "confidence_entity": 0.81}]}
    assert reading(parse) == ("threat", 0.81)
    assert reading({"entities": [{"entity": "urgency", "value": "made-up"}]}) is None
    assert reading(None) is None


def test_accents_case_and_apostrophes_do_not_change_the_text_it_reads():
    assert normalize("  Está   CORTADA,  can’t ") == normalize("esta cortada, cant")
