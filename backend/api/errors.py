"""Errors in FastAPI's own 422 shape, so every bad-input reply names the field and the reason."""

from fastapi import HTTPException, status


def unprocessable(field: str, message: str, *, where: str = "body") -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[{"loc": [where, field], "msg": message, "type": "value_error"}],
    )
