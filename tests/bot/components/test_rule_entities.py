"""RuleEntityExtractor as Rasa runs it: created through `create`, fed `Message`s."""

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("rasa", reason="the Rasa components run in the bot environment")
pytest.importorskip("spacy", reason="the Rasa components run in the bot environment")

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.shared.exceptions import InvalidConfigException  # noqa: E402
from rasa.shared.nlu.constants import ENTITIES, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from bot.components.rule_entities import RuleEntityExtractor  # noqa: E402
from common import clock  # noqa: E402

TODAY = "2026-11-26"  # a Thursday
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def create(storage_path: Path, **config: Any) -> RuleEntityExtractor:
    return RuleEntityExtractor.create(
        {**RuleEntityExtractor.get_default_config(), **config},
        LocalModelStorage(storage_path),
        Resource("rule_entities"),
        ExecutionContext(GraphSchema({}), "test-model"),
    )


@pytest.fixture(scope="module")
def extractor(tmp_path_factory: pytest.TempPathFactory) -> RuleEntityExtractor:
    return create(tmp_path_factory.mktemp("storage"), today=TODAY)


def found(component: RuleEntityExtractor, *, text: str) -> list[tuple[str, str, str]]:
    """(entity, matched text, value) for each entity `process` adds to a message."""
    message = Message.build(text=text)
    component.process([message])
    entities = message.get(ENTITIES, [])
    return [(e["entity"], text[e["start"] : e["end"]], e["value"]) for e in entities]


@pytest.mark.parametrize(
    ("text", "entity", "span", "value"),
    [
        ("1000001", "account_number", "1000001", "1000001"),
        ("acct # 2000001", "account_number", "2000001", "2000001"),
        ("cuenta 1000002", "account_number", "1000002", "1000002"),
        ("cuenta #1000020", "account_number", "1000020", "1000020"),
        ("92688", "zip", "92688", "92688"),
        ("my zip is 92694-1234.", "zip", "92694-1234", "92694"),
        ("el zip es 92630", "zip", "92630", "92630"),
        ("(949) 555-0101", "phone", "(949) 555-0101", "9495550101"),
        ("949-555-0102", "phone", "949-555-0102", "9495550102"),
        ("9495550201", "phone", "9495550201", "9495550201"),
        ("+1 949 555 0101", "phone", "+1 949 555 0101", "9495550101"),
        ("cel 949.555.0106", "phone", "949.555.0106", "9495550106"),
        ("my email is Jo.Lee@Example.com.", "email", "Jo.Lee@Example.com", "jo.lee@example.com"),
        ("email:bob_42@example.com", "email", "bob_42@example.com", "bob_42@example.com"),
        ("i paid $84.12", "amount", "$84.12", "84.12"),
        ("84.12 dollars", "amount", "84.12 dollars", "84.12"),
        ("the $1,000 deposit", "amount", "$1,000", "1000.00"),
        ("debo 640 dolares", "amount", "640 dolares", "640.00"),
        ("100 dólares", "amount", "100 dólares", "100.00"),
        ("$ 84.1", "amount", "$ 84.1", "84.10"),
        ("wtf my bill is 500 bucks", "amount", "500 bucks", "500.00"),
        ("84 dollars and 12 cents", "amount", "84 dollars and 12 cents", "84.12"),
        ("84,12 dólares", "amount", "84,12 dólares", "84.12"),
        ("22 Alondra", "address", "22 Alondra", "22 Alondra"),
        ("no water at 14 Vista Ridge", "address", "14 Vista Ridge", "14 Vista Ridge"),
        ("27001 La Paz Rd", "address", "27001 La Paz Rd", "27001 La Paz Rd"),
        ("27001 la paz rd", "address", "27001 la paz rd", "27001 la paz rd"),
        (
            "31 Calle Aria, Rancho Santa Margarita",
            "address",
            "31 Calle Aria, Rancho Santa Margarita",
            "31 Calle Aria, Rancho Santa Margarita",
        ),
        ("5 Sendero Way Apt 2", "address", "5 Sendero Way Apt 2", "5 Sendero Way Apt 2"),
        ("100 Main St Ste 200", "address", "100 Main St Ste 200", "100 Main St Ste 200"),
        ("oh its 3 Alisal", "address", "3 Alisal", "3 Alisal"),
        ("es 7 Ocaso", "address", "7 Ocaso", "7 Ocaso"),
        ("I live at 22 Alondra.", "address", "22 Alondra", "22 Alondra"),
        ("vivo en 18 Calle Cordoba, ladera", "address", *["18 Calle Cordoba, ladera"] * 2),
        ("tomorrow", "date", "tomorrow", "2026-11-27"),
        ("next tuesday at 8 PM", "date", "next tuesday", "2026-12-01"),
        ("el 15 de diciembre", "date", "el 15 de diciembre", "2026-12-15"),
        ("pay 4111 1111 1111 1111", "card_number", "4111 1111 1111 1111", "**** **** **** 1111"),
        ("4111-1111-1111-1111", "card_number", "4111-1111-1111-1111", "**** **** **** 1111"),
    ],
)
def test_single_entity(
    extractor: RuleEntityExtractor, text: str, entity: str, span: str, value: str
) -> None:
    assert found(extractor, text=text) == [(entity, span, value)]


@pytest.mark.parametrize(
    "text",
    [
        "at 8 pm",
        "at 8 PM",
        "2 weeks",
        "2 Weeks",
        "I have 3 Kids",
        "tier 2 Residential",
        "2 park",
        "I used 12000 gallons",
        "2000000 gallons",
        "00000",
        "123456",  # six digits: neither ZIP nor account
        "10000010",  # eight digits
        "84.12",  # no currency
        "4111 1111 1111 1112",  # fails Luhn, and no other shape fits
        "the one on el toro rd",
        "ok",
    ],
)
def test_nothing(extractor: RuleEntityExtractor, text: str) -> None:
    assert found(extractor, text=text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # card > phone > account > zip: digits inside a longer match are not read again
        ("4111 1111 1111 1111", [("card_number", "4111 1111 1111 1111", "**** **** **** 1111")]),
        ("9495550201", [("phone", "9495550201", "9495550201")]),
        ("27001 La Paz Rd", [("address", "27001 La Paz Rd", "27001 La Paz Rd")]),
        ("$22 Alondra", [("amount", "$22", "22.00")]),
        ("$1000001", [("amount", "$1000001", "1000001.00")]),
        ("jo1000001@example.com", [("email", "jo1000001@example.com", "jo1000001@example.com")]),
        ("92688 Rancho Santa Margarita", [("zip", "92688", "92688")]),
        ("15 December", [("date", "15 December", "2026-12-15")]),
        (
            "4111 1111 1111 1111 92688",
            [
                ("card_number", "4111 1111 1111 1111", "**** **** **** 1111"),
                ("zip", "92688", "92688"),
            ],
        ),
    ],
)
def test_overlaps(
    extractor: RuleEntityExtractor, text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert found(extractor, text=text) == expected


def test_many_entities_in_text_order(extractor: RuleEntityExtractor) -> None:
    text = "acct 1000001 zip 92688, call (949) 555-0101 or jo@example.com; paying $84.12 tomorrow"
    assert found(extractor, text=text) == [
        ("account_number", "1000001", "1000001"),
        ("zip", "92688", "92688"),
        ("phone", "(949) 555-0101", "9495550101"),
        ("email", "jo@example.com", "jo@example.com"),
        ("amount", "$84.12", "84.12"),
        ("date", "tomorrow", "2026-11-27"),
    ]


def test_address_with_city_and_zip(extractor: RuleEntityExtractor) -> None:
    text = "27001 La Paz Rd. Mission Viejo, CA 92691"
    assert found(extractor, text=text) == [
        ("address", "27001 La Paz Rd. Mission Viejo, CA", "27001 La Paz Rd. Mission Viejo, CA"),
        ("zip", "92691", "92691"),
    ]
    text = "move me from 12 Paseo Pinzon into 40 Via Torino"
    assert found(extractor, text=text) == [
        ("address", "12 Paseo Pinzon", "12 Paseo Pinzon"),
        ("address", "40 Via Torino", "40 Via Torino"),
    ]
    assert found(extractor, text="mailing address is po box 123 rsm ca 92688") == [
        ("address", "po box 123 rsm ca", "po box 123 rsm ca"),
        ("zip", "92688", "92688"),
    ]


def test_card_number_never_appears_in_the_output(extractor: RuleEntityExtractor) -> None:
    message = Message.build(text="charge 5555 5555 5555 4444 exp 09/27 for $212.40")
    extractor.process([message])
    entities = message.get(ENTITIES)
    assert [(e["entity"], e["value"]) for e in entities] == [
        ("card_number", "**** **** **** 4444"),
        ("amount", "212.40"),
    ]
    assert "5555" not in repr(entities)


def test_entity_shape_and_existing_entities_kept(extractor: RuleEntityExtractor) -> None:
    earlier = {"entity": "last_name", "start": 0, "end": 6, "value": "Carter", "extractor": "DIET"}
    message = Message.build(text="Carter 92694")
    message.set(ENTITIES, [earlier])
    returned = extractor.process([message])
    assert returned == [message]
    assert message.get(ENTITIES) == [
        earlier,
        {
            "entity": "zip",
            "start": 7,
            "end": 12,
            "value": "92694",
            "confidence_entity": 1.0,
            "extractor": "RuleEntityExtractor",
        },
    ]
    assert message.get(TEXT) == "Carter 92694"  # the text itself is left alone


def test_empty_message(extractor: RuleEntityExtractor) -> None:
    message = Message.build(text="")
    assert extractor.process([message]) == [message]
    assert message.get(ENTITIES, []) == []


def test_entities_config_limits_types_but_not_overlap_rules(tmp_path: Path) -> None:
    component = create(tmp_path, today=TODAY, entities=["zip", "phone", "account_number"])
    assert found(component, text="acct 1000001, $84.12 tomorrow, zip 92688") == [
        ("account_number", "1000001", "1000001"),
        ("zip", "92688", "92688"),
    ]
    # Card disabled: its digits still do not come back as a phone or a ZIP.
    assert found(component, text="4111 1111 1111 1111") == []
    assert found(component, text="27001 La Paz Rd") == []


def test_street_words_config(tmp_path: Path) -> None:
    assert found(create(tmp_path / "a", today=TODAY), text="near 22 alondra") == []
    component = create(tmp_path / "b", today=TODAY, street_words=["Alondra"])
    assert found(component, text="near 22 alondra") == [("address", "22 alondra", "22 alondra")]


def test_cities_config(tmp_path: Path) -> None:
    component = create(tmp_path, today=TODAY, cities=["Irvine"])
    assert found(component, text="22 Alondra, Irvine") == [
        ("address", "22 Alondra, Irvine", "22 Alondra, Irvine")
    ]
    # The list replaces the default: Ladera Ranch is no longer appended.
    expected = [("address", "22 Alondra", "22 Alondra")]
    assert found(component, text="22 Alondra, Ladera Ranch") == expected
    no_cities = create(tmp_path / "none", today=TODAY, cities=[])
    assert found(no_cities, text="at 22 Alondra, Ladera Ranch") == expected


def test_today_is_the_clock_day_in_the_configured_timezone(tmp_path: Path) -> None:
    # 07:30 UTC on March 1, 2027: still February 28 in Los Angeles, March 1 in Kiritimati.
    with clock.frozen("2027-03-01T07:30:00Z"):
        assert create(tmp_path / "a").today() == date(2027, 2, 28)
        assert create(tmp_path / "b", timezone="Pacific/Kiritimati").today() == date(2027, 3, 1)
        # A fixed `today` in the config wins over the clock.
        assert create(tmp_path / "c", today=TODAY).today() == date(2026, 11, 26)


def test_relative_dates_follow_the_clock_every_day_of_a_year(tmp_path: Path) -> None:
    # The component asks the clock per message: at one minute past and one minute to midnight
    # in the district, on every day of 2027 (DST changes included), "today" is that day.
    component = create(tmp_path)
    checked = 0
    for n in range(365):
        day = date(2027, 1, 1) + timedelta(days=n)
        for minute in (time(0, 1), time(23, 59)):
            with clock.frozen(datetime.combine(day, minute, tzinfo=LOS_ANGELES)):
                got = found(component, text="today, tomorrow or in 3 days")
            want = [("date", "today", day.isoformat()),
                    ("date", "tomorrow", (day + timedelta(days=1)).isoformat()),
                    ("date", "in 3 days", (day + timedelta(days=3)).isoformat())]
            assert got == want, f"{day} {minute}"
            checked += 1
    assert checked == 730


@pytest.mark.parametrize(
    "config",
    [{"timezone": "Mars/Olympus_Mons"}, {"today": "26/11/2026"}, {"entities": ["zip", "ssn"]}],
)
def test_bad_config_is_refused(tmp_path: Path, config: dict[str, Any]) -> None:
    with pytest.raises(InvalidConfigException):
        create(tmp_path, **config)


def test_load_at_prediction_time_works_like_create(tmp_path: Path) -> None:
    # Rasa builds non-trainable components with `load` when a model is loaded.
    component = RuleEntityExtractor.load(
        {**RuleEntityExtractor.get_default_config(), "today": TODAY},
        LocalModelStorage(tmp_path),
        Resource("rule_entities"),
        ExecutionContext(GraphSchema({}), "test-model"),
    )
    assert found(component, text="el 15") == [("date", "el 15", "2026-12-15")]


def test_create_builds_a_blank_pipeline_without_loading_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import spacy

    def no_models(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("spacy.load must not be called: there are no models to load")

    blank_languages: list[str] = []
    real_blank = spacy.blank
    monkeypatch.setattr(spacy, "load", no_models)

    def recording_blank(name: str, **kwargs: Any) -> Any:
        blank_languages.append(name)
        return real_blank(name, **kwargs)

    monkeypatch.setattr(spacy, "blank", recording_blank)
    component = create(tmp_path, today=TODAY)
    assert blank_languages == ["xx"]
    assert found(component, text="22 Alondra") == [("address", "22 Alondra", "22 Alondra")]
