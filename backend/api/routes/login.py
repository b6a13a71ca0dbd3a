from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from backend.api.deps import SessionDep, SettingsDep
from backend.core.security import create_rep_token
from backend.crud import reps as reps_crud
from backend.models.reps import Token

router = APIRouter(prefix="/login", tags=["login"])


@router.post("/access-token", response_model=Token)
def login_access_token(session: SessionDep, settings: SettingsDep,
                       form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Any:
    """A rep signs in to the console (OAuth2 password form); the token also opens Socket.IO."""
    rep = reps_crud.authenticate(session=session, email=form.username, password=form.password)
    if rep is None or not rep.is_active:
        # One message for both cases, so the response doesn't reveal which addresses are reps.
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Incorrect email or password",
                            headers={"WWW-Authenticate": "Bearer"})
    assert rep.id is not None
    return Token(access_token=create_rep_token(settings=settings, rep_id=rep.id, role=rep.role))
