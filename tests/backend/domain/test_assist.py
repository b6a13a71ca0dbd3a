"""backend.domain.assist: the drafted reply per topic and decision, in English and Spanish, with
no account data for an unverified customer, no card number ever, and an apology when upset."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from backend.domain import assist
from backend.domain.assist import AccountView, Ask, DraftInput, PolicyView, compose, read_ask
from backend.domain.district import District
from backend.domain.policy import (
    AccountFacts,
    BillFact,
    due_date_extension,
    late_fee_waiver,
    payment_arrangement,
)
from common.cards import has_card_number

TODAY = date(2026, 12, 2)
CARD = "4111 1111 1111 1111"
ACCOUNT = AccountView(
    first_name="James", street="14 Vista Ridge", status="active", balance=Decimal("312.40"),
    past_due=Decimal("95.00"), due_date=date(2026, 12, 16),
    shutoff_scheduled_on=date(2026, 12, 9), returned_mail=True, email_bounced=True,
    last_bill_date=date(2026, 11, 25), last_bill_total=Decimal("312.40"),
    typical_bill=Decimal("94.73"), open_orders=("WO-000042 (leak investigation)",))


def _facts(*, late_fee: str = "15.00", waived: tuple = (), past_due: str = "95.00",
           late: tuple = ()) -> AccountFacts:
    bills = [BillFact(bill_date=TODAY - timedelta(days=30 * i + 7),
                      due_date=TODAY - timedelta(days=30 * i - 14), total=Decimal("95.00"),
                      late_fee=Decimal(late_fee) if i == 0 else Decimal("0"),
                      paid_in_full_on=None if i == 0 else TODAY - timedelta(days=30 * i - 10))
             for i in range(6)]
    return AccountFacts(account_type="residential", status="active", today=TODAY,
                        balance=Decimal("312.40"), past_due=Decimal(past_due), bills=bills,
                        fee_waivers=waived, late_payments=late)


def _draft(district: District, lang: str, topic: str, *, policy: PolicyView | None = None,
           verified: bool = True, upset: bool = False) -> assist.Draft:
    return compose(district=district, data=DraftInput(
        language=lang, ask=Ask(topic=topic, source="handoff"), verified=verified, upset=upset,
        account=ACCOUNT, policy=policy, rep_name="Maria Lopez"))


def _waiver(district: District, **facts: object) -> PolicyView:
    decision = late_fee_waiver(district=district, facts=_facts(**facts))  # type: ignore[arg-type]
    outcome = "denied" if decision.nothing_to_grant else (
        "granted" if decision.eligible else "referred")
    return PolicyView(outcome=outcome, decision=decision,
                      fee_label=("late fee", "recargo por pago atrasado"),
                      amount=decision.details["amount"] or None,
                      bill_date=decision.details["bill_date"],
                      reference="AP-7" if outcome == "referred" else None)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_fee_waiver_granted_names_the_rule_and_the_amount(district, lang):
    draft = _draft(district, lang, "fee_waiver", policy=_waiver(district))
    assert (draft.topic, draft.decision, draft.rule) == ("fee_waiver", "granted", "late_fee_waiver")
    assert draft.rule_text.text(lang) in draft.text and "$15.00" in draft.text
    assert draft.text.startswith("Hi James, this is Maria." if lang == "en"
                                 else "Hola, James. Le saluda Maria.")
    assert ("waiving" in draft.text) if lang == "en" else ("eximir" in draft.text)
    assert draft.language == lang
    codes = [b.code for b in draft.basis]
    assert codes[:3] == ["topic", "decision", "rule"] and "late_fee_found" in codes
    assert draft.to_dict()["rule_text"]["en"].startswith("We can waive one late fee")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_fee_waiver_referred_gives_the_reasons_and_the_review(district, lang):
    view = _waiver(district, waived=((TODAY - timedelta(days=90), "late_fee"),))
    draft = _draft(district, lang, "fee_waiver", policy=view)
    assert draft.decision == "referred" and "AP-7" in draft.text and "$15.00" in draft.text
    already = "already waived" if lang == "en" else "Ya se le eximió"
    assert already in draft.text
    # The engine's "a representative can review" line is the rep's own job, not the reply's.
    assert "representative can review" not in draft.text
    assert "representante puede revisar" not in draft.text
    assert "pending_review" in [b.code for b in draft.basis]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_fee_waiver_denied_when_there_is_no_fee(district, lang):
    draft = _draft(district, lang, "fee_waiver", policy=_waiver(district, late_fee="0"))
    assert draft.decision == "denied"
    assert ("no late fee" in draft.text) if lang == "en" else ("No hay ningún recargo" in draft.text)


def test_a_fee_already_waived_says_so(district):
    view = PolicyView(outcome="granted", decision=late_fee_waiver(district=district,
                                                                  facts=_facts()),
                      amount=Decimal("15.00"), fee_label=("late fee", "recargo"), done=True)
    assert "has already been waived" in _draft(district, "en", "fee_waiver", policy=view).text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_extension_and_arrangement(district, lang):
    ext = due_date_extension(district=district, facts=_facts(), days=10)
    draft = _draft(district, lang, "extension", policy=PolicyView(outcome="granted", decision=ext))
    assert draft.rule == "due_date_extension" and draft.decision == "granted"
    assert ("December 26, 2026" if lang == "en" else "26 de diciembre de 2026") in draft.text
    plan = payment_arrangement(district=district, facts=_facts(), installments=3)
    draft = _draft(district, lang, "arrangement", policy=PolicyView(outcome="granted",
                                                                     decision=plan))
    assert draft.rule == "payment_arrangement" and "$31.68" in draft.text
    assert draft.text.endswith("?")
    high = payment_arrangement(district=district, facts=_facts(past_due="1500.00"),
                               installments=3)
    draft = _draft(district, lang, "arrangement", policy=PolicyView(outcome="referred",
                                                                     decision=high))
    assert draft.decision == "referred" and "$1,500.00" in draft.text


INFO = {  # topic: (an English phrase, a Spanish phrase, the rule)
    "high_bill": ("against a usual $94.73", "frente a un promedio de $94.73", "high_bill_review"),
    "shutoff": ("shut-off notice for December 9, 2026", "aviso de corte para el 9 de diciembre",
                "shutoff_notice"),
    "balance": ("Your balance is $312.40, due December 16, 2026",
                "Su saldo es de $312.40, con vencimiento el 16 de diciembre de 2026",
                "billing_terms"),
    "service": ("the service at 14 Vista Ridge", "el servicio en 14 Vista Ridge",
                "service_orders"),
    "outage": ("when it started", "desde cuándo", "outage_response"),
    "water_quality": ("see, smell or taste", "ve, huele o sabe", "water_quality_order"),
    "contact": ("came back as undeliverable", "fue devuelto", "contact_on_file"),
    "generic": ("I'm here to help", "estoy aquí para ayudarle", "general_help"),
}


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("topic", sorted(INFO))
def test_information_topics(district, topic, lang):
    draft = _draft(district, lang, topic)
    en, es, rule = INFO[topic]
    assert (en if lang == "en" else es) in draft.text, draft.text
    assert (draft.topic, draft.decision, draft.rule) == (topic, "info", rule)
    assert draft.rule_text.code == rule and draft.rule_text.en and draft.rule_text.es


def test_an_information_topic_ignores_a_policy_decision_and_lists_open_orders(district):
    draft = _draft(district, "en", "generic", policy=_waiver(district))
    assert draft.decision == "info" and "WO-000042" in draft.text


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("topic", assist.TOPICS)
def test_unverified_gets_no_account_data(district, topic, lang):
    draft = _draft(district, lang, topic, policy=_waiver(district), verified=False)
    for secret in ("James", "312.40", "94.73", "15.00", "Vista Ridge", "WO-000042",
                   "December 9", "9 de diciembre", "AP-7"):
        assert secret not in draft.text, (topic, draft.text)
    if topic in ("outage", "water_quality", "generic"):
        assert draft.decision == "info"  # nothing about the account is needed to answer
    else:
        assert (draft.decision, draft.rule) == ("verify", "verification")
        assert ("account number" in draft.text) if lang == "en" else (
            "número de cuenta" in draft.text)


def test_card_numbers_never_appear(district):
    leaky = AccountView(**{**ACCOUNT.__dict__, "first_name": CARD, "street": CARD,
                           "open_orders": (CARD,)})
    for topic in assist.TOPICS:
        draft = compose(district=district, data=DraftInput(
            language="en", ask=Ask(topic=topic, source="keywords"), verified=True,
            account=leaky, policy=_waiver(district), rep_name=CARD))
        assert not has_card_number(draft.text), draft.text
        assert CARD not in draft.text and "4111 1111" not in draft.text  # masked to the last 4


@pytest.mark.parametrize(("lang", "apology"), [
    ("en", "I'm sorry for the trouble"), ("es", "Lamento mucho las molestias")])
def test_upset_customer_gets_an_apology_first(district, lang, apology):
    calm = _draft(district, lang, "balance")
    upset = _draft(district, lang, "balance", upset=True)
    assert apology not in calm.text
    assert upset.text.split(". ", 1)[1].startswith(apology) or apology in upset.text[:90]
    assert "upset" in [b.code for b in upset.basis]


def test_read_ask_prefers_the_handoff_then_intents_then_words():
    assert read_ask(handoff_topic="fee_waiver", intents=["check_balance"],
                    texts=["hi"]) == Ask("fee_waiver", "handoff", "late_fee")
    assert read_ask(handoff_topic=None, intents=[None, "shutoff"], texts=["x"]).topic == "shutoff"
    assert read_ask(handoff_topic="greet", intents=["nlu_fallback"],
                    texts=["mi agua sale turbia y con olor"]).topic == "water_quality"
    assert read_ask(handoff_topic=None, intents=[], texts=["hello"]) == Ask("generic", "none")


@pytest.mark.parametrize(("text", "topic", "fee_kind", "number"), [
    ("can you waive the reconnection fee?", "fee_waiver", "reconnection_fee", None),
    ("¿me pueden quitar el recargo por pago atrasado?", "fee_waiver", "late_fee", None),
    ("please waive the meter test fee", "fee_waiver", "meter_test_fee", None),
    ("necesito una prórroga de 10 días", "extension", None, 10),
    ("can I pay it in 4 payments?", "arrangement", None, 4),
    ("they're going to shut off my water", "shutoff", None, None),
    ("my bill doubled, I think there's a leak", "high_bill", None, None),
    ("no tengo agua desde la mañana", "outage", None, None),
    ("I'm moving next month", "service", None, None),
    ("I need to change my mailing address", "contact", None, None),
    ("how much do I owe?", "balance", None, None),
])
def test_read_ask_keywords(text, topic, fee_kind, number):
    assert read_ask(handoff_topic=None, intents=[], texts=[text]) == Ask(
        topic, "keywords", fee_kind, number)


def test_the_arrangement_intent_asking_for_more_time_is_an_extension():
    ask = read_ask(handoff_topic="payment_arrangement", intents=[],
                   texts=["can I get more time to pay, like 7 days"])
    assert (ask.topic, ask.number) == ("extension", 7)


def test_is_upset():
    assert assist.is_upset(emotions=[{"label": "calm"}, {"label": "angry"}], reason_code=None,
                           texts=[])
    assert assist.is_upset(emotions=[], reason_code="strong_emotion", texts=[])
    assert assist.is_upset(emotions=[], reason_code=None, texts=["esto es inaceptable"])
    assert not assist.is_upset(emotions=[{"label": "angry"}, {"label": "calm"}],
                               reason_code="request", texts=["thanks, can you help?"])


def test_an_unknown_outcome_is_refused(district):
    with pytest.raises(ValueError, match="unknown outcome"):
        PolicyView(outcome="maybe", decision=late_fee_waiver(district=district, facts=_facts()))
