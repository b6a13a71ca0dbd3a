"""Idempotency-Key support for writes: a retried request gets the first response, not a second write."""

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from backend.api.deps import CallerDep, SessionDep
from backend.models import IdempotencyRecord


class Idempotency:
    def __init__(self, *, session: Session, key: str | None, scope: str) -> None:
        self.session = session
        self.key = key
        self.scope = scope

    def run(
        self, *, payload: Any, produce: Callable[[], Any], status_code: int = status.HTTP_200_OK
    ) -> JSONResponse:
        """Replays a stored response for a repeated key, else runs `produce` and stores its result."""
        body_hash = hashlib.sha256(
            json.dumps(jsonable_encoder(payload), sort_keys=True).encode()
        ).hexdigest()
        if self.key:
            stored = self._find()
            if stored is not None:
                return self._replay(stored, body_hash)
        content = jsonable_encoder(produce())
        if self.key:
            self.session.add(
                IdempotencyRecord(
                    key=self.key, scope=self.scope, request_hash=body_hash,
                    status_code=status_code, response=content,
                )
            )
            try:
                self.session.commit()
            except IntegrityError:
                # A concurrent retry with the same key won the race: undo ours, replay theirs.
                self.session.rollback()
                stored = self._find()
                if stored is None:
                    raise
                return self._replay(stored, body_hash)
        return JSONResponse(content, status_code=status_code)

    def _find(self) -> IdempotencyRecord | None:
        return self.session.exec(
            select(IdempotencyRecord).where(
                IdempotencyRecord.key == self.key, IdempotencyRecord.scope == self.scope
            )
        ).first()

    def _replay(self, stored: IdempotencyRecord, body_hash: str) -> JSONResponse:
        if stored.request_hash != body_hash:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                detail=[{
                    "loc": ["header", "idempotency-key"],
                    "msg": "This Idempotency-Key was already used with a different request",
                    "type": "value_error",
                }],
            )
        return JSONResponse(
            stored.response, status_code=stored.status_code,
            headers={"Idempotent-Replayed": "true"},
        )


async def get_idempotency(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    idempotency_key: Annotated[
        str | None, Header(max_length=200, description="Retries with the same key are not repeated")
    ] = None,
) -> Idempotency:
    scope = f"{caller.type}:{caller.id or ''}:{request.method}:{request.url.path}"
    return Idempotency(session=session, key=idempotency_key, scope=scope)


IdempotencyDep = Annotated[Idempotency, Depends(get_idempotency)]
