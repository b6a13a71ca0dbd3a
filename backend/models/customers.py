"""Customers and the premises (service addresses) they receive water at."""

from datetime import datetime

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from backend.models.common import Language, utcnow


class MailingAddress(SQLModel):
    mailing_street: str = Field(max_length=200)
    mailing_city: str = Field(max_length=100)
    mailing_state: str = Field(default="CA", min_length=2, max_length=2)
    mailing_zip: str = Field(max_length=10)


class CustomerBase(MailingAddress):
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100, index=True)
    business_name: str | None = Field(default=None, max_length=200)
    # Digits only, ten of them: lookups by phone compare normalised values.
    phone: str = Field(max_length=15, index=True)
    email: str | None = Field(default=None, max_length=254, index=True)
    preferred_language: Language = Field(default=Language.en, sa_type=String(2))


class Customer(CustomerBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)


class CustomerPublic(CustomerBase):
    id: int


class PremiseBase(SQLModel):
    street: str = Field(max_length=200)
    unit: str | None = Field(default=None, max_length=20)
    city: str = Field(max_length=100)
    state: str = Field(default="CA", max_length=2)
    zip: str = Field(max_length=10, index=True)


class Premise(PremiseBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class PremisePublic(PremiseBase):
    id: int
