"""Errors in FastAPI's own 422 shape, so every bad-input reply names the field and the reason.

Text that isn't valid Unicode is bad input too. JSON can spell a lone surrogate ("\\ud800"),
which no reply and no database can encode: it is refused as a 422 naming the field, and no
error reply may echo it and fail into a 500.
"""

import re
from typing import Any

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic_core import PydanticSerializationError
from starlette.exceptions import HTTPException as StarletteHTTPException

_SURROGATE = re.compile("[\ud800-\udfff]")
NOT_UNICODE = "Text must be valid Unicode: a lone surrogate such as \\ud800 is not a character"


def unprocessable(field: str, message: str, *, where: str = "body") -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[{"loc": [where, field], "msg": message, "type": "value_error"}],
    )


def sendable(value: Any) -> Any:
    """`value` with lone surrogates replaced by U+FFFD and bytes decoded, so it encodes as JSON."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, bytes | bytearray):
        return sendable(bytes(value).decode("utf-8", "replace"))
    if isinstance(value, dict):
        return {sendable(k): sendable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [sendable(v) for v in value]
    return value


def _surrogate_at(value: Any, loc: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
    if isinstance(value, str):
        return loc if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if _SURROGATE.search(key):
                return (*loc, sendable(key))
            if (found := _surrogate_at(item, (*loc, key))) is not None:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            if (found := _surrogate_at(item, (*loc, i))) is not None:
                return found
    return None


async def refuse_lone_surrogates(request: Request) -> None:
    """An app-wide dependency: a JSON body with a lone surrogate anywhere is refused before any
    route runs, so nothing half-written is left behind and no stored JSON can hold one."""
    if request.method not in ("POST", "PUT", "PATCH") or \
            "json" not in request.headers.get("content-type", ""):
        return
    try:
        body = await request.json()  # parsed once: FastAPI has already read it for the route
    except ValueError:
        return  # not JSON at all: FastAPI's own 422 (or 400) answers that
    if (loc := _surrogate_at(body, ("body",))) is not None:
        raise RequestValidationError([{"type": "string_unicode", "loc": loc, "msg": NOT_UNICODE,
                                       "input": None}])


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    # FastAPI's answer, but the input it echoes may hold what can't be encoded.
    return JSONResponse(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
                        content={"detail": sendable(jsonable_encoder(sendable(exc.errors())))})


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return await http_exception_handler(request, StarletteHTTPException(
        exc.status_code, sendable(exc.detail), exc.headers))


async def _unicode_error(request: Request, exc: Exception) -> Response:
    # Text that can't be encoded got past validation (a database or a reply refused it).
    if isinstance(exc, PydanticSerializationError) and "UnicodeEncodeError" not in str(exc):
        raise exc
    return JSONResponse(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
                        content={"detail": [{"loc": ["body"], "msg": NOT_UNICODE,
                                             "type": "string_unicode"}]})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(UnicodeError, _unicode_error)
    # How a reply model's serializer reports a UnicodeEncodeError.
    app.add_exception_handler(PydanticSerializationError, _unicode_error)
