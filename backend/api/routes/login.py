from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from backend.api.deps import SessionDep, SettingsDep
from backend.core.security import create_rep_token
from backend.crud import reps as reps_crud
from backend.crud import lockout
from backend.models.common import utcnow
from backend.models.reps import Token

router = APIRouter(prefix="/login", tags=["login"])


@router.post("/access-token", response_model=Token, responses={
    401: {"description": "Wrong email or password"},
    429: {"description": "Too many failed sign-ins for this account or from this address; "
                         "Retry-After says when to try again"}})
def login_access_token(request: Request, session: SessionDep, settings: SettingsDep,
                       form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Any:
    """A rep signs in to the console (OAuth2 password form); the token also opens Socket.IO."""
    # The connection's address: uvicorn applies X-Forwarded-For only from the proxies it trusts
    # (--forwarded-allow-ips), so a client can't pick its own address here.
    ip = request.client.host if request.client else "unknown"
    account, address = f"login:{form.username.strip().casefold()[:200]}", f"login-ip:{ip[:64]}"
    # Counted before the password is checked (crud.lockout), so concurrent guesses can't pass.
    taken = lockout.take(session=session, window=timedelta(minutes=settings.LOGIN_WINDOW_MINUTES),
                         limits={account: settings.LOGIN_MAX_FAILURES,
                                 address: settings.LOGIN_MAX_FAILURES_PER_IP},
                         now=utcnow())
    if not taken.ok:
        # Refused before the password is checked, so the right one doesn't get in either.
        minutes = -(-taken.retry_after // 60)
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS,
                            f"Too many failed sign-ins: try again in {minutes} minute"
                            f"{'s' if minutes != 1 else ''}",
                            headers={"Retry-After": str(taken.retry_after)})
    rep = reps_crud.authenticate(session=session, email=form.username, password=form.password)
    signed_in = rep is not None and rep.is_active
    if signed_in:
        # A success forgives the account's failures; the address's stay counted, but this
        # attempt's place is given back, so many reps signing in from one office never lock it.
        lockout.clear(session=session, subjects=[account], now=utcnow())
        lockout.refund(session=session, subjects=[address])
    if not signed_in:
        # One message for both cases, so the response doesn't reveal which addresses are reps.
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Incorrect email or password",
                            headers={"WWW-Authenticate": "Bearer"})
    assert rep is not None and rep.id is not None
    return Token(access_token=create_rep_token(settings=settings, rep_id=rep.id, role=rep.role))
