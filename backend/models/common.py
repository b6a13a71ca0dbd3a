"""Shared column helpers and enums for the customer-records models."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from common import clock


def utcnow() -> datetime:
    # Aware UTC: SQLModel's datetime columns refuse naive values and return UTC on every database.
    # The one clock (common.clock): real outside tests, set by the tests.
    return clock.now()


def cents_to_money(cents: int | None) -> Decimal | None:
    if cents is None:
        return None
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


class Language(StrEnum):
    en = "en"
    es = "es"


class AccountType(StrEnum):
    residential = "residential"
    commercial = "commercial"
    temporary_construction = "temporary_construction"


class AccountStatus(StrEnum):
    active = "active"
    pending_start = "pending_start"
    pending_stop = "pending_stop"
    closed = "closed"
    shut_off = "shut_off"


class ReadType(StrEnum):
    actual = "actual"
    estimated = "estimated"
    customer = "customer"
    reread = "reread"


class LineKind(StrEnum):
    usage = "usage"
    meter_charge = "meter_charge"
    sewer_fixed = "sewer_fixed"
    sewer_usage = "sewer_usage"
    late_fee = "late_fee"
    reconnection_fee = "reconnection_fee"
    adjustment = "adjustment"
    credit = "credit"


class PaymentMethod(StrEnum):
    card = "card"
    ach = "ach"
    autopay = "autopay"
    check = "check"
    cash = "cash"


class DepositStatus(StrEnum):
    held = "held"
    waived = "waived"
    refunded = "refunded"
    applied = "applied"


class ArrangementStatus(StrEnum):
    active = "active"
    completed = "completed"
    broken = "broken"
    cancelled = "cancelled"


class AdjustmentStatus(StrEnum):
    granted = "granted"
    pending_review = "pending_review"
    approved = "approved"
    denied = "denied"


class PaymentChannel(StrEnum):
    web = "web"
    phone = "phone"
    office = "office"
    mail = "mail"
    autopay = "autopay"


class ChargeStatus(StrEnum):
    pending = "pending"  # in the balance now, printed on the next bill
    billed = "billed"


class ApprovalKind(StrEnum):
    fee_waiver = "fee_waiver"
    due_date_extension = "due_date_extension"
    payment_arrangement = "payment_arrangement"


class ApprovalStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    denied = "denied"


class OutageReportKind(StrEnum):
    no_water = "no_water"
    low_pressure = "low_pressure"


class FeeKind(StrEnum):
    late_fee = "late_fee"
    reconnection_fee = "reconnection_fee"
    deposit = "deposit"
    meter_test_fee = "meter_test_fee"


class ServiceOrderKind(StrEnum):
    start = "start"
    stop = "stop"
    transfer = "transfer"


class OrderStatus(StrEnum):
    pending = "pending"
    scheduled = "scheduled"
    completed = "completed"
    cancelled = "cancelled"


class WorkOrderKind(StrEnum):
    leak_investigation = "leak_investigation"
    meter_reread = "meter_reread"
    meter_test = "meter_test"
    meter_repair = "meter_repair"
    water_quality = "water_quality"
    turn_on = "turn_on"
    turn_off = "turn_off"


class Priority(StrEnum):
    emergency = "emergency"
    high = "high"
    normal = "normal"


class WorkOrderStatus(StrEnum):
    open = "open"
    dispatched = "dispatched"
    completed = "completed"
    cancelled = "cancelled"


class ActorType(StrEnum):
    bot = "bot"
    rep = "rep"
    system = "system"
    integration = "integration"
