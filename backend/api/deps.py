"""Annotated dependencies shared by the routes."""

from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Path, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from backend.core.config import Settings
from backend.core.security import (
    decode_rep_token,
    decode_verification_token,
    service_token_matches,
)
from backend.crud import accounts as accounts_crud
from backend.crud.accounts import AccountBundle
from backend.crud.audit import Actor
from backend.domain.district import District, load_district
from backend.hub.bridge import RasaBridge
from backend.hub.service import Hub
from backend.models.common import ActorType
from backend.models.reps import Rep, RepRole
from common import clock


# Dependencies that don't block are `async def`: FastAPI runs sync ones on the threadpool,
# and a thread hop per dependency was most of an account read's cost.


# The app carries its own settings and engine (see main.create_app), so two apps can coexist.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_db(request: Request) -> AsyncIterator[Session]:
    # Opening a Session does no I/O; the connection is checked out on first use in the endpoint.
    with Session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_engine(request: Request) -> Engine:
    # For routes that open their session on a worker thread (core.db.run_in_session).
    return request.app.state.engine  # type: ignore[no-any-return]


EngineDep = Annotated[Engine, Depends(get_engine)]


async def get_district(request: Request, settings: SettingsDep) -> District:
    # Kept on the app: resolving the file's path (a syscall per component) on every request
    # cost more than the rest of the dependency.
    district = getattr(request.app.state, "district", None)
    if district is None:
        district = request.app.state.district = load_district(settings.DISTRICT_FILE)
    return district  # type: ignore[no-any-return]


DistrictDep = Annotated[District, Depends(get_district)]


async def get_bridge(request: Request) -> RasaBridge:
    return request.app.state.bridge  # type: ignore[no-any-return]


BridgeDep = Annotated[RasaBridge, Depends(get_bridge)]


async def get_hub(request: Request) -> Hub:
    return request.app.state.hub  # type: ignore[no-any-return]


HubDep = Annotated[Hub, Depends(get_hub)]


async def get_today(district: DistrictDep) -> date:
    # "Today" is the district's calendar day, not the server's UTC day.
    return clock.today(district.tz)


TodayDep = Annotated[date, Depends(get_today)]

_bearer = HTTPBearer(auto_error=False, description="The service token")


async def get_caller(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    x_actor: Annotated[ActorType, Header(description="Who acts: bot, system or integration")] = ActorType.bot,
    x_actor_id: Annotated[str | None, Header(max_length=100)] = None,
    x_conversation_id: Annotated[str | None, Header(max_length=100)] = None,
) -> Actor:
    if credentials is None or not service_token_matches(
        settings=settings, presented=credentials.credentials
    ):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="A valid service token is required (Authorization: Bearer <token>)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if x_actor == ActorType.rep:
        # Reps act through their own signed-in tokens, not the shared service token.
        raise HTTPException(status.HTTP_403_FORBIDDEN, "The service token cannot act as a rep")
    return Actor(type=x_actor, id=x_actor_id, conversation_id=x_conversation_id)


CallerDep = Annotated[Actor, Depends(get_caller)]

AccountNumber = Annotated[str, Path(pattern=r"^\d{7}$", description="7-digit account number")]


async def get_verified_number(
    account_number: AccountNumber,
    settings: SettingsDep,
    _caller: CallerDep,
    x_verification_token: Annotated[
        str | None, Header(description="Token from POST /verify for this account")
    ] = None,
) -> str:
    """The path's account number, once the token proves its customer was verified."""
    verified = (
        decode_verification_token(settings=settings, token=x_verification_token)
        if x_verification_token
        else None
    )
    # Checked before any lookup, so an unverified caller can't learn which accounts exist.
    if verified is None or verified.account_number != account_number:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "The customer is not verified for this account: call POST /api/v1/verify first",
        )
    return account_number


VerifiedNumberDep = Annotated[str, Depends(get_verified_number)]


def get_verified_account(account_number: VerifiedNumberDep, session: SessionDep) -> AccountBundle:
    bundle = accounts_crud.get_bundle(session=session, account_number=account_number)
    if bundle is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such account")
    return bundle


VerifiedAccountDep = Annotated[AccountBundle, Depends(get_verified_account)]


def optional_verified_account(
    session: SessionDep,
    settings: SettingsDep,
    x_verification_token: Annotated[str | None, Header()] = None,
) -> AccountBundle | None:
    """The verified account if a token came with the request; requests that don't need one still work."""
    if not x_verification_token:
        return None
    verified = decode_verification_token(settings=settings, token=x_verification_token)
    if verified is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "The verification token is invalid or expired")
    return accounts_crud.get_bundle(session=session, account_number=verified.account_number)


OptionalAccountDep = Annotated[AccountBundle | None, Depends(optional_verified_account)]


_rep_bearer = HTTPBearer(auto_error=False, description="A rep's access token from /login/access-token")


def get_current_rep(
    settings: SettingsDep, session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_rep_bearer)],
) -> Rep:
    rep_id = decode_rep_token(settings=settings, token=credentials.credentials) \
        if credentials else None
    rep = session.get(Rep, rep_id) if rep_id is not None else None
    if rep is None or not rep.is_active:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED,
                            "Sign in first: the access token is missing, invalid or expired",
                            headers={"WWW-Authenticate": "Bearer"})
    return rep


CurrentRep = Annotated[Rep, Depends(get_current_rep)]


def get_current_supervisor(rep: CurrentRep) -> Rep:
    if rep.role != RepRole.supervisor:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only a supervisor can do this")
    return rep


CurrentSupervisor = Annotated[Rep, Depends(get_current_supervisor)]
