"""Leak alerts: the supervisor's view of what the daily leak scan sent and a button to run it now;
and the customer's opt-out page, reached from the link in an alert email."""

from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import SQLModel

from backend.api.deps import (
    CurrentSupervisor,
    DistrictDep,
    EngineDep,
    HubDep,
    SessionDep,
    SettingsDep,
    TodayDep,
)
from backend.api.pages import opt_out_page
from backend.core.db import run_in_session
from backend.core.optout import OPT_OUT_PATH, decode_opt_out_token
from backend.crud import job_runs
from backend.crud import leak_alerts as crud
from backend.crud.audit import Actor
from backend.jobs import leak_alerts as job
from backend.models import JobRun
from backend.models.common import ActorType
from backend.models.leaks import LeakAlertPublic

router = APIRouter(prefix="/leak-alerts", tags=["leak-alerts"])
# The customer acting through the signed link in their own email.
OPT_OUT_ACTOR = Actor(type=ActorType.system, id="leak_alert_opt_out_link")


class LeakAlertOverview(SQLModel):
    alerts: list[LeakAlertPublic]
    runs: list[JobRun]


@router.get("", response_model=LeakAlertOverview)
def read_leak_alerts(session: SessionDep, _supervisor: CurrentSupervisor) -> Any:
    """The latest alerts (sent, or recorded with no email on file or opted out) and the leak
    scan's latest runs, newest first."""
    return LeakAlertOverview(alerts=crud.recent(session=session, limit=50),
                             runs=job_runs.latest(session=session, job=job.JOB, limit=10))


@router.post("/run", response_model=JobRun)
async def run_leak_scan(engine: EngineDep, settings: SettingsDep, district: DistrictDep,
                        today: TodayDep, hub: HubDep, _supervisor: CurrentSupervisor) -> Any:
    """Run the leak scan now for the district's today (it alerts nothing already alerted)."""
    # On a worker thread: the run opens its own sessions and may take a moment.
    done = await anyio.to_thread.run_sync(lambda: job.run_now(
        engine=engine, settings=settings, district=district, today=today))
    if done.acted and hub.mailer is not None:
        hub.mailer.wake()  # the outbox sends them now rather than on its next round
    return done


# --- the customer's opt-out page (backend/api/pages.py): GET shows a button, POST does it.

@router.get("/opt-out", response_class=HTMLResponse, include_in_schema=False)
def show_opt_out(settings: SettingsDep, token: str = "") -> HTMLResponse:
    number = decode_opt_out_token(settings=settings, token=token)
    if number is None:
        return opt_out_page("invalid", code=400)
    return opt_out_page("confirm", last4=number[-4:], token=token,
                 action=f"{settings.API_V1_STR}{OPT_OUT_PATH}")


@router.post("/opt-out", response_class=HTMLResponse, include_in_schema=False)
async def opt_out(request: Request, settings: SettingsDep, engine: EngineDep) -> HTMLResponse:
    """The page's button, or a mail client's one-click unsubscribe (RFC 8058: the token stays in
    the URL and the body is List-Unsubscribe=One-Click)."""
    form = await request.form()
    token = str(form.get("token") or request.query_params.get("token") or "")
    number = decode_opt_out_token(settings=settings, token=token)
    if number is None:
        return opt_out_page("invalid", code=400)
    done = await run_in_session(engine, crud.opt_out, account_number=number, actor=OPT_OUT_ACTOR)
    if done is None:
        return opt_out_page("invalid", code=400)
    return opt_out_page("done", last4=number[-4:])
