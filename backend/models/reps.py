"""Representatives who work the queue in the console, and their roles and skills."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from backend.models.common import utcnow


class RepRole(StrEnum):
    rep = "rep"
    supervisor = "supervisor"


class RepBase(SQLModel):
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=100)
    role: RepRole = Field(default=RepRole.rep, sa_type=String(12))
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    is_active: bool = True


class Rep(RepBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=200)
    on_shift: bool = False
    last_seen_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class RepPublic(RepBase):
    id: int
    on_shift: bool


class RepCreate(RepBase):
    password: str = Field(min_length=12, max_length=128)


class ShiftIn(SQLModel):
    on_shift: bool


class Token(SQLModel):
    access_token: str
    token_type: str = "bearer"
