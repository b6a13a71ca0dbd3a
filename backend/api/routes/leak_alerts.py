"""Leak alerts: the supervisor's view of what the daily leak scan sent and a button to run it now;
and the customer's opt-out page, reached from the link in an alert email."""

import html
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


# --- the customer's opt-out page: GET shows a button, POST does it (GET never changes anything,
# so a mail scanner that follows links can't opt anyone out). Both languages on one page.

PAGES = {
    "confirm": ("Stop leak alerts?", "¿Dejar de recibir alertas de fugas?",
                "We email you when your meter shows water running night after night. Press the "
                "button to stop these emails for your account ending in {last4}.",
                "Le escribimos cuando su medidor muestra agua corriendo noche tras noche. Pulse "
                "el botón para dejar de recibir estos correos en su cuenta terminada en {last4}."),
    "done": ("Leak alerts are off", "Las alertas de fugas están desactivadas",
             "We won't email you about leaks on your account ending in {last4}. You can turn "
             "them back on by contacting customer service.",
             "No le escribiremos sobre fugas en su cuenta terminada en {last4}. Puede volver a "
             "activarlas comunicándose con servicio al cliente."),
    "invalid": ("This link doesn't work", "Este enlace no funciona",
                "It may have expired or been copied incompletely. Contact customer service to "
                "stop leak alerts.",
                "Puede haber vencido o estar incompleto. Comuníquese con servicio al cliente "
                "para dejar de recibir alertas de fugas."),
}


def _page(kind: str, *, last4: str = "", token: str | None = None, action: str = "",
          status_code: int = 200) -> HTMLResponse:
    title_en, title_es, body_en, body_es = PAGES[kind]
    esc = html.escape
    parts = [f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
             f'<meta name="viewport" content="width=device-width, initial-scale=1">'
             f"<title>{esc(title_en)} / {esc(title_es)}</title></head><body><main>",
             f"<h1>{esc(title_en)}</h1><p>{esc(body_en.format(last4=last4))}</p>",
             f'<h1 lang="es">{esc(title_es)}</h1>'
             f'<p lang="es">{esc(body_es.format(last4=last4))}</p>']
    if token is not None:
        parts.append(f'<form method="post" action="{esc(action)}">'
                     f'<input type="hidden" name="token" value="{esc(token)}">'
                     f'<button type="submit">Stop leak alerts / Dejar de recibir alertas'
                     f"</button></form>")
    parts.append("</main></body></html>")
    return HTMLResponse("".join(parts), status_code=status_code,
                        headers={"Cache-Control": "no-store"})


@router.get("/opt-out", response_class=HTMLResponse, include_in_schema=False)
def opt_out_page(settings: SettingsDep, token: str = "") -> HTMLResponse:
    number = decode_opt_out_token(settings=settings, token=token)
    if number is None:
        return _page("invalid", status_code=400)
    return _page("confirm", last4=number[-4:], token=token,
                 action=f"{settings.API_V1_STR}{OPT_OUT_PATH}")


@router.post("/opt-out", response_class=HTMLResponse, include_in_schema=False)
async def opt_out(request: Request, settings: SettingsDep, engine: EngineDep) -> HTMLResponse:
    """The page's button, or a mail client's one-click unsubscribe (RFC 8058: the token stays in
    the URL and the body is List-Unsubscribe=One-Click)."""
    form = await request.form()
    token = str(form.get("token") or request.query_params.get("token") or "")
    number = decode_opt_out_token(settings=settings, token=token)
    if number is None:
        return _page("invalid", status_code=400)
    done = await run_in_session(engine, crud.opt_out, account_number=number, actor=OPT_OUT_ACTOR)
    if done is None:
        return _page("invalid", status_code=400)
    return _page("done", last4=number[-4:])
