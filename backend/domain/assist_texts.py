"""Rep assist's templates: the reply's sentences per topic, in English and Spanish.

backend/domain/assist.py picks the topic and the decision; these fill in the words, with money
and dates in the customer's language.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from backend.domain.district import District
from backend.domain.i18n import Reason, format_money
from backend.domain.policy import REP_REVIEW
from common.dates import format_date

if TYPE_CHECKING:
    from backend.domain.assist import AccountView, PolicyView


class Text:
    """One language's sentence builder: money and dates in that language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def pick(self, en: str, es: str) -> str:
        return es if self.lang == "es" else en

    def day(self, value: date | None) -> str:
        return format_date(day=value, lang=self.lang) if value else "—"

    @staticmethod
    def money(value: Decimal | None) -> str:
        return format_money(value or Decimal("0"))


def bi(code: str, en: str, es: str) -> Reason:
    return Reason(code=code, en=en, es=es)


VERIFY_RULE = bi("verification",
                  "We discuss an account only with a verified customer: account number and service "
                  "ZIP code, or the phone number on the account and last name.",
                  "Solo hablamos de una cuenta con un cliente verificado: número de cuenta y código "
                  "postal del servicio, o el teléfono registrado y el apellido.")


def info_rule(topic: str, district: District) -> Reason:
    """The written practice an information draft relies on, in the customer's words."""
    f, b = district.fees, district.billing
    rules = {
        "high_bill": bi("high_bill_review",
                         "When a bill is far above your usual, we look for a leak or a misread: we "
                         f"can reread the meter at no charge, and a meter test costs "
                         f"{format_money(f.meter_test_fee)}, refunded if the meter is inaccurate.",
                         "Cuando una factura es mucho más alta de lo normal, buscamos una fuga o un "
                         "error de lectura: podemos volver a leer el medidor sin costo, y una prueba "
                         f"del medidor cuesta {format_money(f.meter_test_fee)}, que se reembolsa si "
                         "el medidor no es exacto."),
        "shutoff": bi("shutoff_notice",
                       f"Service is shut off for non-payment only after a {b.shutoff_notice_days}-day "
                       "notice; paying the past-due balance and the "
                       f"{format_money(f.reconnection_fee)} reconnection fee restores it.",
                       "El servicio se corta por falta de pago solo después de un aviso de "
                       f"{b.shutoff_notice_days} días; al pagar el saldo vencido y el cargo de "
                       f"reconexión de {format_money(f.reconnection_fee)} se restablece."),
        "balance": bi("billing_terms",
                       f"Bills are due {b.due_days} days after the bill date; a "
                       f"{format_money(f.late_fee)} late fee applies to a balance left past due.",
                       f"Las facturas vencen {b.due_days} días después de la fecha de factura; se "
                       f"aplica un recargo de {format_money(f.late_fee)} a un saldo vencido."),
        "service": bi("service_orders",
                       "Service starts, stops and transfers are scheduled on a business day within "
                       f"{district.policies.service_orders.max_days_ahead} days.",
                       "El inicio, la suspensión y el traslado del servicio se programan en un día "
                       f"hábil dentro de {district.policies.service_orders.max_days_ahead} días."),
        "outage": bi("outage_response",
                      "Field crews handle outages and main breaks; emergencies are answered at "
                      f"{district.emergency_phone}.",
                      "Las cuadrillas atienden la falta de agua y las roturas; las emergencias se "
                      f"atienden en el {district.emergency_phone}."),
        "water_quality": bi("water_quality_order",
                             "A water-quality concern gets a field visit; if anyone feels ill, call "
                             f"{district.emergency_phone} and a doctor.",
                             "Un problema de calidad del agua recibe una visita; si alguien se "
                             f"siente mal, llame al {district.emergency_phone} y a un médico."),
        "contact": bi("contact_on_file",
                       "Bills and notices go to the mailing address and email on file; when mail "
                       "comes back or email bounces, we ask you to confirm them.",
                       "Las facturas y avisos se envían a la dirección y el correo registrados; si "
                       "el correo se devuelve o rebota, le pedimos confirmarlos."),
    }
    return rules.get(topic, bi("general_help",
                                "No specific request was recognised: invite the customer to say "
                                "more.",
                                "No se reconoció una solicitud concreta: invite al cliente a "
                                "contar más."))


def policy_body(t: Text, topic: str, p: PolicyView) -> list[str]:
    d = p.decision
    rule = d.rule_text.text(t.lang)
    fee = t.pick(*p.fee_label)
    on_bill = t.pick(f" on your bill dated {t.day(p.bill_date)}",
                     f" de su factura del {t.day(p.bill_date)}") if p.bill_date else ""
    what = t.pick(f"the {t.money(p.amount)} {fee}{on_bill}", f"el {fee} de {t.money(p.amount)}"
                  f"{on_bill}") if p.amount else t.pick(f"the {fee}", f"el {fee}")
    if p.outcome == "denied":  # nothing to act on: the engine's own plain answer
        said = d.nothing_reasons or tuple(r for r in d.reasons if r != REP_REVIEW)
        return [" ".join(r.text(t.lang) for r in said)]
    if p.outcome == "referred":
        problems = " ".join(r.text(t.lang) for r in d.reasons if r != REP_REVIEW)
        if p.reference:
            after = t.pick(f"I've passed your request to a supervisor for review (reference "
                           f"{p.reference}), and we'll let you know the outcome.",
                           f"Pasé su solicitud a un supervisor para que la revise (referencia "
                           f"{p.reference}) y le avisaremos el resultado.")
        else:
            after = t.pick("I'll ask a supervisor to review your request, and we'll let you know "
                           "the outcome.",
                           "Le pediré a un supervisor que revise su solicitud y le avisaremos el "
                           "resultado.")
        if topic == "fee_waiver":
            lead = t.pick(f"You asked us to waive {what}.", f"Nos pidió eximir {what}.")
            return [lead, t.pick("Our policy:", "Nuestra política:"), rule, problems, after]
        return [t.pick("Our policy:", "Nuestra política:"), rule, problems, after]
    if topic == "fee_waiver":
        if p.done:
            return [t.pick(f"Good news: {what} has already been waived, and you'll see the credit "
                           "on your next bill.",
                           f"Buenas noticias: ya se eximió {what}, y verá el crédito en su próxima "
                           "factura.")]
        return [t.pick("Our policy:", "Nuestra política:"), rule,
                t.pick(f"Your account qualifies, so I'm waiving {what}; you'll see the credit on "
                       "your next bill.",
                       f"Su cuenta cumple los requisitos, así que voy a eximir {what}; verá el "
                       "crédito en su próxima factura.")]
    details = " ".join(r.text(t.lang) for r in d.reasons if r.code in ("new_due_date", "plan"))
    return [t.pick("Our policy:", "Nuestra política:"), rule,
            t.pick("Your account qualifies.", "Su cuenta cumple los requisitos."), details,
            t.pick("Would you like me to set that up?", "¿Desea que lo prepare?")]


def info_body(t: Text, topic: str, a: AccountView, district: District) -> list[str]:
    fee, pay = t.money(district.fees.reconnection_fee), district.payment_url
    past_due = a.past_due > 0
    if topic == "high_bill":
        out = [t.pick(f"Your bill dated {t.day(a.last_bill_date)} is "
                      f"{t.money(a.last_bill_total)}", f"Su factura del {t.day(a.last_bill_date)} "
                      f"es de {t.money(a.last_bill_total)}")
               + (t.pick(f", against a usual {t.money(a.typical_bill)}.",
                         f", frente a un promedio de {t.money(a.typical_bill)}.")
                  if a.typical_bill else ".")]
        out.append(t.pick("A jump like that is most often a leak, like a running toilet or an "
                          "irrigation line. I can set up a free meter reread or a meter test, "
                          "whichever you prefer.",
                          "Un aumento así suele deberse a una fuga, como un inodoro que gotea o "
                          "una línea de riego. Puedo programar una nueva lectura del medidor sin "
                          "costo o una prueba del medidor, lo que usted prefiera."))
        return out
    if topic == "shutoff":
        if a.status == "shut_off":
            return [t.pick(f"Your service is off for non-payment. To restore it, please pay the "
                           f"past-due {t.money(a.past_due)} plus the {fee} reconnection fee at "
                           f"{pay}; a crew turns the water back on the same business day.",
                           f"Su servicio está cortado por falta de pago. Para restablecerlo, pague "
                           f"el saldo vencido de {t.money(a.past_due)} más el cargo de reconexión "
                           f"de {fee} en {pay}; una cuadrilla reconecta el agua el mismo día "
                           "hábil.")]
        if a.shutoff_scheduled_on:
            return [t.pick(f"There's a shut-off notice for {t.day(a.shutoff_scheduled_on)} for "
                           f"the past-due {t.money(a.past_due)}. Paying it before then avoids the "
                           f"shut-off and the {fee} reconnection fee, and I can also check whether "
                           "you qualify for a payment arrangement.",
                           f"Hay un aviso de corte para el {t.day(a.shutoff_scheduled_on)} por el "
                           f"saldo vencido de {t.money(a.past_due)}. Si lo paga antes, evita el "
                           f"corte y el cargo de reconexión de {fee}; también puedo revisar si "
                           "califica para un plan de pagos.")]
        return [t.pick(f"No shut-off is scheduled on your account. Your past-due balance is "
                       f"{t.money(a.past_due)}.",
                       f"No hay ningún corte programado en su cuenta. Su saldo vencido es de "
                       f"{t.money(a.past_due)}.")]
    if topic == "balance":
        out = [t.pick(f"Your balance is {t.money(a.balance)}", f"Su saldo es de "
                      f"{t.money(a.balance)}")
               + (t.pick(f", due {t.day(a.due_date)}.", f", con vencimiento el "
                         f"{t.day(a.due_date)}.") if a.due_date and a.balance > 0 else ".")]
        if past_due:
            out.append(t.pick(f"Of that, {t.money(a.past_due)} is past due.",
                              f"De eso, {t.money(a.past_due)} está vencido."))
        if a.balance > 0:
            out.append(t.pick(f"You can pay online at {pay}.", f"Puede pagar en línea en {pay}."))
        return out
    if topic == "service":
        return [t.pick(f"I can help with the service at {a.street}. What date would you like, "
                       "and if you're moving, what's the new address?",
                       f"Con gusto le ayudo con el servicio en {a.street}. ¿Qué fecha desea y, si "
                       "se muda, cuál es la nueva dirección?")]
    if topic == "contact":
        out = []
        if a.returned_mail:
            out.append(t.pick("Mail we sent you came back as undeliverable. Could you confirm "
                              "your mailing address?",
                              "El correo que le enviamos fue devuelto. ¿Me confirma su dirección "
                              "postal?"))
        if a.email_bounced:
            out.append(t.pick("Our emails to you are bouncing. Could you confirm your email "
                              "address?",
                              "Nuestros correos electrónicos no le llegan. ¿Me confirma su correo "
                              "electrónico?"))
        return out or [t.pick("I can update your contact details. What would you like to change?",
                              "Puedo actualizar sus datos de contacto. ¿Qué desea cambiar?")]
    return general_body(t, topic, district) + _orders(t, a)


def _orders(t: Text, a: AccountView) -> list[str]:
    if not a.open_orders:
        return []
    listing = ", ".join(a.open_orders)
    return [t.pick(f"I see an open order on your account: {listing}.",
                   f"Veo una orden abierta en su cuenta: {listing}.")]


def general_body(t: Text, topic: str, district: District) -> list[str]:
    """Topics that need no account data."""
    if topic == "outage":
        return [t.pick("I'm sorry you're having trouble with your water. Could you tell me the "
                       "address and when it started? If water is flooding or there's a main "
                       f"break, please call {district.emergency_phone} right away.",
                       "Lamento que tenga problemas con el agua. ¿Me indica la dirección y desde "
                       "cuándo ocurre? Si hay una inundación o una tubería rota, llame de "
                       f"inmediato al {district.emergency_phone}.")]
    if topic == "water_quality":
        return [t.pick("Thank you for telling us about your water. Could you describe what you "
                       "see, smell or taste, and since when? I'll send someone to check it. If "
                       f"anyone feels ill, please call {district.emergency_phone} and a doctor.",
                       "Gracias por avisarnos sobre su agua. ¿Me describe lo que ve, huele o "
                       "sabe, y desde cuándo? Enviaré a alguien a revisarla. Si alguien se "
                       f"siente mal, llame al {district.emergency_phone} y a un médico.")]
    return [t.pick("I've read your conversation with our assistant and I'm here to help. What "
                   "can I do for you?",
                   "Leí su conversación con nuestro asistente y estoy aquí para ayudarle. ¿En "
                   "qué le puedo ayudar?")]


VERIFY_ASK = ("To look at your account, I first need to verify it's you. Could you give me your "
               "account number and the service ZIP code, or the phone number on the account and "
               "your last name?",
               "Para revisar su cuenta, primero necesito verificar su identidad. ¿Me da su número "
               "de cuenta y el código postal del servicio, o el teléfono registrado en la cuenta "
               "y su apellido?")
