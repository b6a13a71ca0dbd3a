"""A meter's overnight flow day by day (AMI), the leak alerts sent from it, and the runs of
scheduled jobs."""

from datetime import date, datetime

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.models.common import utcnow


class NightFlow(SQLModel, table=True):
    """The lowest hourly flow a meter recorded between midnight and 5 AM on one day: above
    zero, water never stopped that night."""

    __table_args__ = (UniqueConstraint("meter_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    meter_id: int = Field(foreign_key="meter.id", index=True)
    day: date = Field(index=True)
    min_gph: float = 0.0
    # The whole day's use, gallons.
    gallons: int = 0


class LeakAlertBase(SQLModel):
    # The first night of continuous flow: one alert per episode, keyed by it.
    episode_start: date
    last_flow_day: date
    days: int
    gallons: int
    cost_cents: int
    language: str = Field(default="en", max_length=2)
    # sent | no_email | opted_out: an episode is recorded even when nobody could be told,
    # so the next run doesn't try again.
    status: str = Field(default="sent", sa_type=String(12))
    email: str | None = Field(default=None, max_length=254)


class LeakAlert(LeakAlertBase, table=True):
    __table_args__ = (UniqueConstraint("account_id", "episode_start"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    meter_id: int = Field(foreign_key="meter.id")
    outbox_id: int | None = Field(default=None, foreign_key="outboxemail.id")
    created_at: datetime = Field(default_factory=utcnow)


class LeakAlertPublic(LeakAlertBase):
    id: int
    account_number: str
    created_at: datetime


class JobRun(SQLModel, table=True):
    """One run of a scheduled job: what the supervisor's scheduler did, and when."""

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=40, index=True)
    # The district day the run was for: a job runs once a day however often it is started.
    run_for: date
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    status: str = Field(default="running", sa_type=String(12))  # running | ok | failed
    scanned: int = 0
    acted: int = 0
    seconds: float = 0.0
    error: str | None = Field(default=None, max_length=2000)
