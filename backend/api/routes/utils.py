from fastapi import APIRouter
from sqlalchemy import text

from backend.api.deps import SessionDep

router = APIRouter(prefix="/utils", tags=["utils"])


@router.get("/health-check")
def health_check(session: SessionDep) -> dict[str, str]:
    """Liveness and database reachability; needs no token so load balancers can call it."""
    session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    return {"status": "ok"}
