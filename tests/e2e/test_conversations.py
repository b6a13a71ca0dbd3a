"""Whole conversations through the hub's REST conversation API, answered by the real bot, action
server and backend: urgent messages reach a person first, offers are honoured, money trouble stays
with the bot, nothing said is asked again, a return to the bot is real, and (last) every custom
action of the domain ran. The tests share the session's stack; dates come from the suite's clock."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from common import clock
from tests.utils.stack import RASA_TOKEN, SERVICE_TOKEN, Stack
from tests.utils.tally import back_to_the_bot

# It stops James's service and waives his fee, so the other users of the shared stack go first.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500), pytest.mark.changes_demo_accounts]
ROOT = Path(__file__).resolve().parents[2]
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
ZIPS = {"1000001": "92688", "1000002": "92694", "2000001": "92691"}
MONTHS_ES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
             "septiembre", "octubre", "noviembre", "diciembre"]
SENDERS: list[str] = []  # every conversation this module ran: Rasa's sender ids
# Asked only when a customer gives a phone without an account number, and then the phone is
# already known: validate_verify_form never requests it.
UNREACHABLE = {"action_ask_phone"}
ASKS_WHERE = re.compile(r"address|intersection|cross street|direcci[oó]n|cruce", re.IGNORECASE)


class Conversation:
    """One customer on the REST API: say() gives the replies' text and keeps the transcript."""

    def __init__(self, stack: Stack) -> None:
        self.api = f"{stack.backend}/api/v1/conversations"
        r = httpx.post(self.api, headers=SERVICE, timeout=30)
        r.raise_for_status()
        self.id: str = r.json()["id"]
        self.status, self.replies, self.lines = "bot", list[dict](), list[str]()
        SENDERS.append(self.id)

    def say(self, text: str) -> str:
        r = httpx.post(f"{self.api}/{self.id}/messages", headers=SERVICE, json={"text": text},
                       timeout=120)
        r.raise_for_status()
        body = r.json()
        self.status, self.replies = body["status"], body["replies"]
        self.lines += [f"  > {text}", *(f"    [{m['sender']}] {m['text']}" for m in self.replies),
                       f"    (status {self.status})"]
        return "\n".join(m["text"] for m in self.replies if m["text"])

    def click(self, title: str) -> str:
        """Press a button of the latest replies, as the widget does: its payload is sent."""
        buttons = {b["title"]: b["payload"] for m in self.replies
                   for b in m["payload"].get("buttons", [])}
        assert title in buttons, f"no {title!r} button in {sorted(buttons)}\n{self}"
        return self.say(buttons[title])

    def verify(self, account: str) -> str:
        assert self.status == "bot", f"handed off instead of verifying\n{self}"
        asked = self.say(account)
        assert "ZIP" in asked, f"the bot did not ask for the ZIP after {account}\n{self}"
        return self.say(ZIPS[account])

    def read(self) -> dict:
        r = httpx.get(f"{self.api}/{self.id}", headers=SERVICE, timeout=30)
        r.raise_for_status()
        return r.json()

    def bot_said(self) -> str:
        return "\n".join(m["text"] for m in self.read()["messages"] if m["sender"] == "bot")

    def __str__(self) -> str:
        return f"conversation {self.id}:\n" + "\n".join(self.lines)


def api_get(stack: Stack, path: str) -> dict:
    r = httpx.get(f"{stack.backend}/api/v1{path}", headers=SERVICE, timeout=30)
    r.raise_for_status()
    return r.json()


def business_day(stack: Stack, days: int) -> date:
    """The first day the district schedules service on, `days` after the suite's today."""
    day = clock.today("America/Los_Angeles") + timedelta(days=days)
    while not api_get(stack, f"/district/service-dates/{day.isoformat()}")["ok"]:
        day += timedelta(days=1)
    return day


def english(day: date) -> str:
    return f"{day:%B} {day.day}"


def order_in(text: str, prefix: str) -> str:
    found = re.search(rf"\b{prefix}-\d+\b", text)
    return found.group(0) if found else ""


# --- 1. Urgent messages go to a person at once, before verification ---------------------------

@pytest.mark.parametrize("text", [
    "hydrant knocked over at Alondra and Oso Pkwy, water everywhere",
    "tumbaron un hidrante en Alondra y Oso Pkwy, sale agua por todos lados",
], ids=["en", "es"])
def test_emergency_is_queued_at_once_with_a_crew_sent(stack, text):
    c = Conversation(stack)
    first = c.say(text)
    phone = api_get(stack, "/district")["emergency_phone"]
    assert phone in first, f"no emergency line {phone!r} in the first reply\n{c}"
    assert c.status == "queued", f"not queued\n{c}"
    assert c.read()["handoff_priority"] == "emergency", f"{c.read()['handoff_priority']}\n{c}"
    number = order_in(first, "WO")
    assert number, f"no work order in the first reply\n{c}"
    order = api_get(stack, f"/work-orders/{number}")
    assert "alondra" in order["location"].lower() and order["priority"] == "emergency", order
    assert not ASKS_WHERE.search(c.bot_said()), f"the bot asked where it is\n{c}"


@pytest.mark.parametrize(("text", "advice", "standards"), [
    ("my kids got a rash after their bath and the water smells like bleach",
     "bottled water", "meets all state and federal standards"),
    ("a mis hijos les salieron ronchas después del baño y el agua huele a cloro",
     "agua embotellada", "cumple con todas las normas"),
], ids=["en", "es"])
def test_health_symptoms_get_advice_and_a_person(stack, text, advice, standards):
    c = Conversation(stack)
    reply = c.say(text)
    assert standards not in c.bot_said(), f"told the water meets standards\n{c}"
    assert advice in reply, f"no {advice!r} advice\n{c}"
    assert c.status == "queued", f"not queued\n{c}"


@pytest.mark.parametrize("text", [
    "my mother died on sunday and the water account is in her name, what do i do now",
    "your crew tore up my driveway and left, fix it today or i'm calling the police",
    "the technician who came out today was rude and cursed at my wife",
    "the clerk at your office wouldn't help me because of my accent, that's discrimination",
    "quiero hablar con un supervisor ya",
], ids=["bereavement", "threat", "misconduct", "discrimination", "supervisor-es"])
def test_urgent_messages_are_queued(stack, text):
    c = Conversation(stack)
    c.say(text)
    assert c.status == "queued", f"not queued\n{c}"
    assert c.read()["handoff_reason"], f"queued without a reason\n{c}"


# --- 2. Offers are honoured --------------------------------------------------------------------

@pytest.mark.parametrize(("text", "offer", "yes"), [
    ("i'm not happy with the service i got",
     "I can look into it with you, or connect you with a representative", "yes"),
    ("quiero poner una queja",
     "Puedo revisarlo con usted o comunicarlo con un representante", "sí"),
], ids=["en", "es"])
def test_a_calm_complaint_offers_a_person_and_yes_takes_it(stack, text, offer, yes):
    c = Conversation(stack)
    assert offer in c.say(text) and c.status == "bot", f"no offer\n{c}"
    c.say(yes)
    assert c.status == "queued", f"{yes!r} did not take the offer\n{c}"


def test_no_outage_then_yes_starts_the_leak_report(stack):
    c = Conversation(stack)
    assert "outage" in c.say("is there an outage at 92679?"), f"no outage answer\n{c}"
    # A yes asks which problem (no water and low pressure are outage reports: see
    # test_back_office_conversations.py); a leak is still one button away.
    assert "no water at all" in c.say("yes"), f"yes did not ask which\n{c}"
    assert "Where is the water" in c.click("It's a leak"), f"no leak report\n{c}"
    assert "How bad" in c.say("in the street"), f"no severity question\n{c}"
    assert ASKS_WHERE.search(c.say("just a small puddle")), f"no address question\n{c}"
    reply = c.say("31 Vista Ridge, Ladera Ranch")
    assert order_in(reply, "WO") and c.status == "bot", f"no work order\n{c}"


# --- 3. Money trouble stays with the bot -------------------------------------------------------

def test_shutoff_notice(stack):
    c = Conversation(stack)
    assert "account number" in c.say("i got a disconnection notice"), f"no verification\n{c}"
    reply = c.verify("2000001")
    notice = english(clock.today("America/Los_Angeles") + timedelta(days=7))
    assert f"shut-off notice for {notice}" in reply and "$640.00" in reply, f"{c}"
    assert c.status == "bot", f"{c}"


def test_a_payment_plan_is_offered_not_queued(stack):
    c = Conversation(stack)
    first = c.say("can i split my bill into payments? the full amount is hard to pay")
    if "which do you mean" in first:  # unsure between paying and a plan, the bot asks which
        first = c.click("A payment plan")
    assert c.status == "bot" and "account number" in first, f"did not ask to verify\n{c}"
    reply = c.verify("2000001")
    assert c.status == "bot", f"queued instead of offering a plan\n{c}"
    assert re.search(r"payment arrangement|monthly payments", reply), f"no plan offered\n{c}"
    c.say("yes")
    assert c.status == "bot" and "couldn't" not in c.bot_said(), f"plan not set up\n{c}"


def test_a_waiver_without_a_late_fee_is_a_plain_answer(stack):
    c = Conversation(stack)
    c.say("can you waive my late fee?")
    reply = c.verify("1000001")
    assert "no late fee" in reply, f"no plain answer\n{c}"
    assert c.read()["status"] == "bot", f"handed off\n{c}"


# --- 4. Nothing said is lost -------------------------------------------------------------------

def test_spanish_balance_question_is_kept_through_verification(stack):
    c = Conversation(stack)
    first = c.say("hola buenas tardes, cuanto debo?")
    assert "número de cuenta" in first and "no entendí" not in first, f"{c}"
    assert "Su saldo es de $84.12" in c.verify("1000001"), f"no balance\n{c}"
    assert "pagar" in c.say("¿cómo puedo pagar?"), f"no way to pay\n{c}"


def test_stop_keeps_the_date_and_reads_the_order_back(stack):
    day = business_day(stack, 14)
    c = Conversation(stack)
    c.say(f"I need to stop my service on {english(day)}")
    reply, asked_again = c.verify("1000002"), False
    if "For what date" in reply:  # the date was lost: carry on to see the rest
        asked_again, reply = True, c.say(english(day))
    assert "final bill" in reply, f"no forwarding address question\n{c}"
    back = c.say("9 Elm St, Irvine CA 92618")
    assert "To confirm" in back and english(day) in back, f"no read-back\n{c}"
    assert not order_in(back, "SO"), f"ordered before the yes\n{c}"
    number = order_in(c.say("yes"), "SO")
    assert number, f"no order after yes\n{c}"
    order = api_get(stack, f"/service-orders/{number}")
    assert order["kind"] == "stop" and order["requested_date"] == day.isoformat(), order
    assert not asked_again, f"asked for the date again\n{c}"


def test_transfer_asked_step_by_step_checks_each_answer(stack):
    c = Conversation(stack)
    c.say("quiero cambiar mi servicio a otra casa")
    assert "dirección" in c.verify("2000001"), f"no address question\n{c}"
    assert "número y la calle" in c.say("por la escuela"), f"a bad address was taken\n{c}"
    assert "código postal" in c.say("40 Sendero"), f"no ZIP question\n{c}"
    assert "fuera de nuestra área" in c.say("90210"), f"a ZIP outside the district\n{c}"
    assert c.status == "bot", f"{c}"


def test_transfer_keeps_what_was_given_and_reads_the_order_back(stack):
    day = business_day(stack, 15)
    given = {"ZIP code of that address": "92688", "service address (number": "31 Calle Aria",
             "For what date": english(day)}
    c = Conversation(stack)
    c.say(f"i'm moving, please transfer my service to 31 Calle Aria, 92688 on {english(day)}")
    reply, asked_again = c.verify("1000001"), []
    for _ in range(3):  # answer what was lost, to see the rest
        lost = [q for q in given if q in reply]
        if not lost:
            break
        asked_again.append(lost[0])
        reply = c.say(given[lost[0]])
    assert "To confirm" in reply and "31 Calle Aria" in reply, f"no read-back\n{c}"
    assert not order_in(reply, "SO"), f"ordered before the yes\n{c}"
    number = order_in(c.say("yes"), "SO")
    assert number and api_get(stack, f"/service-orders/{number}")["kind"] == "transfer", f"{c}"
    assert not asked_again, f"asked again for {asked_again}\n{c}"


def test_start_temporary_construction_needs_no_verification(stack):
    day = business_day(stack, 16)
    c = Conversation(stack)
    assert "depósito" in c.say("¿por qué tengo que pagar un depósito?"), f"no deposit\n{c}"
    assert "tipo de servicio" in c.say("quiero iniciar servicio de agua"), f"{c}"
    steps = [("Construcción temporal", "dirección del servicio"),
             ("40 Sendero", "código postal"),
             ("92694", "fecha"),
             (f"el {day.day} de {MONTHS_ES[day.month - 1]}", "nombre y apellido"),
             ("Ana Ruiz", "teléfono"),
             ("949 555 0123", "correo"),
             ("ana.ruiz@example.com", "misma dirección")]
    for text, question in steps:
        assert question in c.say(text), f"no {question!r} question after {text!r}\n{c}"
    back = c.say("sí")
    assert "Para confirmar" in back and "40 Sendero" in back, f"no read-back\n{c}"
    assert not order_in(back, "SO"), f"ordered before the yes\n{c}"
    number = order_in(c.say("sí"), "SO")
    assert number, f"no order after yes\n{c}"
    assert api_get(stack, f"/service-orders/{number}")["kind"] == "start"
    assert "verificar su identidad" not in c.bot_said(), f"asked to verify a start\n{c}"


def test_phone_change_is_kept_through_verification(stack):
    c = Conversation(stack)
    c.say("change my phone to 949 555 0199")
    reply, asked_again = c.verify("1000002"), False
    if "What would you like to update" in reply:
        asked_again, reply = True, c.say("949 555 0199")
    assert "Updated: phone" in reply, f"phone not updated\n{c}"
    assert not asked_again, f"asked for the phone again\n{c}"


def test_mailing_address_update_verified_by_phone_and_last_name(stack):
    c = Conversation(stack)
    c.say("quiero actualizar mis datos de contacto")
    assert "apellido" in c.say("mi teléfono es 949 555 0101"), f"no last name question\n{c}"
    assert "Qué dato" in c.say("Lopez"), f"no question what to update\n{c}"
    updated = c.say("27 Calle Aria, Mission Viejo CA 92691")
    assert "Actualizado: ciudad postal, calle postal" in updated, f"{c}"


# --- 5. Return to the bot really returns -------------------------------------------------------

def test_back_with_the_bot_an_emergency_is_queued_again(stack):
    c = Conversation(stack)
    c.say("i want to talk to a person")
    assert c.status == "queued", f"not queued\n{c}"
    back_to_the_bot(stack.backend, c.id)
    c.say("water is gushing out of the street at Oso Pkwy and Antonio, it's flooding")
    assert c.status == "queued", f"not queued again\n{c}"
    assert c.read()["handoff_priority"] == "emergency", f"{c.read()['handoff_priority']}\n{c}"


# --- 6. Every custom action runs ---------------------------------------------------------------

def test_bill_questions_and_a_granted_fee_waiver(stack):
    c = Conversation(stack)
    c.say("can you explain my bill")
    reply = c.verify("1000002")
    assert "$312.40" in reply and "HCF" in reply, f"no explanation\n{c}"
    assert "Last 6 bills" in c.say("show me my water usage over the past year"), f"{c}"
    assert "per HCF" in c.say("what are your water rates"), f"no rates\n{c}"
    assert "removed" in c.say("please waive my late fee"), f"waiver not granted\n{c}"
    assert c.status == "bot", f"{c}"


def test_high_bill_choices_reread_and_meter_test(stack):
    c = Conversation(stack)
    c.say("my bill doubled this month")
    assert "What would you like to do next" in c.verify("1000002"), f"no choices\n{c}"
    assert "meter reread" in c.click("Meter reread"), f"no reread\n{c}"
    c.say("my bill is way too high")
    assert "check for leaks" in c.click("Leak check"), f"no leak check\n{c}"
    assert order_in(c.say("please reread my meter"), "WO"), f"no reread order\n{c}"
    assert "Shall I schedule it" in c.say("can you test my meter"), f"no meter test\n{c}"
    assert order_in(c.say("yes"), "WO") and c.status == "bot", f"test not scheduled\n{c}"


def test_water_quality_without_symptoms(stack):
    c = Conversation(stack)
    assert "cumple con todas las normas" in c.say("el agua sale turbia"), f"{c}"
    assert c.status == "bot", f"{c}"


def test_autopay_on_and_off_then_paperless(stack):
    c = Conversation(stack)
    c.say("quiero inscribirme al pago automático")
    assert "¿Lo inscribo?" in c.verify("1000001"), f"no autopay offer\n{c}"
    assert "Quedó inscrito" in c.say("sí"), f"{c}"
    assert "¿Quiere cancelarlo?" in c.say("cancela mi pago automático"), f"{c}"
    assert "Cancelé el pago automático" in c.say("sí"), f"{c}"
    assert "¿La activo?" in c.say("quiero recibir mi factura por correo electrónico"), f"{c}"
    assert "por correo electrónico" in c.say("sí") and c.status == "bot", f"{c}"


def test_greeting_and_language_switches(stack):
    c = Conversation(stack)
    assert "WaterDesk" in c.say("hi"), f"no greeting\n{c}"
    assert "español" in c.say("¿hablan español?"), f"{c}"
    assert "English" in c.say("english please"), f"{c}"


def test_two_fallbacks_hand_off(stack):
    c = Conversation(stack)
    assert "another way" in c.say("asdf qwerty zzz") and c.status == "bot", f"{c}"
    c.say("kjhg lkjh poiu")
    assert c.status == "queued", f"not handed off after two fallbacks\n{c}"


def test_three_failed_verifications_offer_a_person(stack):
    c = Conversation(stack)
    c.say("what's my balance")
    for _ in range(3):  # no such account: no real account gets locked
        c.say("1234567")
        if "representative" in (reply := c.say("92688")):
            break
    assert "representative" in reply and "$" not in c.bot_said(), f"no offer of a person\n{c}"
    assert "Anything else" in c.say("no") and c.status == "bot", f"no not honoured\n{c}"


def ran_in(events: list[dict], forms: set[str]) -> set[str]:
    """The custom actions a tracker shows running. Some never appear as action events: a form's
    validate_<form> and action_ask_<slot> run inside the form's action (the slots filled after it come from the validator, and a requested_slot then
    a question from the ask action: the domain has no utter_ask_* responses)."""
    ran: set[str] = set()
    current, asked = "", None
    for e in events:
        if e["event"] in ("action", "user"):
            current, asked = e.get("name") or "user", None
            ran.add(current)
        elif e["event"] == "slot" and current in forms:
            if e["name"] != "requested_slot":
                ran.add(f"validate_{current}")
            asked = e["value"] if e["name"] == "requested_slot" else asked
        elif e["event"] == "bot" and current in forms and asked:
            ran.add(f"action_ask_{asked}")
    return ran


def test_every_custom_action_ran(stack):
    """Last: every action_*/validate_* of the domain ran in one of the conversations above."""
    if not SENDERS:
        pytest.skip("run with the conversations above")
    names, forms, responses = set[str](), set[str](), set[str]()
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        domain = yaml.safe_load(path.read_text())
        names |= {a for a in domain.get("actions") or []
                  if isinstance(a, str) and a.startswith(("action_", "validate_"))}
        forms |= set(domain.get("forms") or {})
        responses |= set(domain.get("responses") or {})
    assert not {r for r in responses if r.startswith("utter_ask_")}, "ran_in() needs updating"
    ran: set[str] = set()
    for sender in SENDERS:
        r = httpx.get(f"{stack.rasa}/conversations/{sender}/tracker", timeout=30,
                      params={"token": RASA_TOKEN, "include_events": "ALL"})
        r.raise_for_status()
        ran |= ran_in(r.json()["events"], forms)
    missing = sorted(names - ran - UNREACHABLE)
    assert not missing, f"never ran in {len(SENDERS)} conversations: {missing}"
