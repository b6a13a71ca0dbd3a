"""Rep accounts: creation, sign-in and shifts. Keyword-only, the session passed explicitly;
creation and shift changes are audited with the change."""

from sqlmodel import Session, col, select

from backend.core.security import hash_password, verify_password
from backend.crud import audit
from backend.crud.audit import Actor
from backend.models.common import utcnow
from backend.models.reps import Rep, RepCreate

# A real hash of a throwaway password: signing in as an unknown rep costs as much as a known one,
# so response times don't reveal which addresses are reps.
_DUMMY_HASH: list[str] = []


def create_rep(*, session: Session, rep_in: RepCreate, actor: Actor) -> Rep:
    """Raises sqlalchemy's IntegrityError when the email is taken (a concurrent creation)."""
    rep = Rep.model_validate(rep_in, update={"email": rep_in.email.lower(),
                                             "password_hash": hash_password(rep_in.password)})
    session.add(rep)
    session.flush()  # the new id, for the audit entry
    audit.record(session=session, actor=actor, action="rep_created", entity="rep",
                 entity_id=rep.id, detail={"email": rep.email, "role": str(rep.role),
                                           "skills": list(rep.skills)})
    session.commit()
    session.refresh(rep)
    return rep


def get_by_email(*, session: Session, email: str) -> Rep | None:
    return session.exec(select(Rep).where(Rep.email == email.lower())).first()


def authenticate(*, session: Session, email: str, password: str) -> Rep | None:
    rep = get_by_email(session=session, email=email)
    if rep is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(hash_password("not-a-real-password"))
        verify_password(password=password, password_hash=_DUMMY_HASH[0])
        return None
    if not verify_password(password=password, password_hash=rep.password_hash):
        return None
    return rep


def list_reps(*, session: Session) -> list[Rep]:
    return list(session.exec(select(Rep).order_by(col(Rep.id))).all())


def on_shift(*, session: Session) -> list[Rep]:
    return list(session.exec(select(Rep).where(col(Rep.on_shift), col(Rep.is_active))).all())


def set_shift(*, session: Session, rep: Rep, on_shift: bool, actor: Actor) -> Rep:
    before = rep.on_shift
    rep.on_shift = on_shift
    rep.last_seen_at = utcnow()
    session.add(rep)
    audit.record(session=session, actor=actor, action="shift_started" if on_shift
                 else "shift_ended", entity="rep", entity_id=rep.id,
                 detail={"before": before, "after": on_shift})
    session.commit()
    session.refresh(rep)
    return rep


DEMO_REPS = (
    ("rep@smwd.example.com", "Maria Lopez", "rep", ["spanish", "billing"], "rep-demo-password"),
    ("field@smwd.example.com", "Sam Carter", "rep", ["field", "billing"], "rep-demo-password"),
    ("supervisor@smwd.example.com", "Dana Whitfield", "supervisor",
     ["spanish", "billing", "field"], "supervisor-demo-password"),
)


def seed_demo_reps(*, session: Session) -> int:
    """Demo console accounts for development and tests; does nothing if any rep exists."""
    if session.exec(select(Rep.id).limit(1)).first() is not None:
        return 0
    for email, name, role, skills, password in DEMO_REPS:
        create_rep(session=session, rep_in=RepCreate(email=email, name=name, role=role,
                                                     skills=skills, password=password),
                   actor=audit.SYSTEM)
    return len(DEMO_REPS)
