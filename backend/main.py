"""Builds the WaterDesk backend application."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import socketio
from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute

from backend.api.errors import install_error_handlers, refuse_lone_surrogates
from backend.api.idempotency import IdempotencyMiddleware
from backend.api.main import api_router
from backend.api.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from backend.core.config import Settings, get_settings
from backend.core.db import make_engine
from backend.domain.district import load_district
from backend.email import start_email, stop_email
from backend.hub import realtime
from backend.hub.bridge import RasaBridge
from backend.hub.service import Hub
from backend.web import mount_web

WIDGET_DIST = Path(__file__).resolve().parents[1] / "widget" / "dist"


def _operation_id(route: APIRoute) -> str:
    # Stable, readable operation ids make generated clients pleasant.
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Background work (the email listener and outbox) starts here and stops in reverse.
        await start_email(app)
        yield
        await stop_email(app)
        await app.state.bridge.aclose()
        app.state.engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title=f"{settings.PROJECT_NAME} API",
        version="0.1.0",
        description=(
            "The district's customer records for WaterDesk: verification, accounts, bills, "
            "usage, policies, service and work orders, outages. Every write accepts an "
            "Idempotency-Key header and is audited."
        ),
        openapi_url=f"{settings.API_V1_STR}/openapi.json",
        docs_url="/docs",
        generate_unique_id_function=_operation_id,
        dependencies=[Depends(refuse_lone_surrogates)],
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings)
    app.state.bridge = RasaBridge(urls=settings.rasa_urls, token=settings.HUB_TOKEN,
                                  api_token=settings.RASA_TOKEN,
                                  timeout=settings.RASA_TIMEOUT,
                                  per_process=settings.RASA_CONCURRENCY,
                                  queue_timeout=settings.RASA_QUEUE_TIMEOUT)
    app.state.sio = realtime.make_server(settings)
    app.state.hub = Hub(engine=app.state.engine, bridge=app.state.bridge, sio=app.state.sio,
                        district=load_district(settings.DISTRICT_FILE), settings=settings)
    realtime.register(app.state.sio, app.state.hub)
    install_error_handlers(app)
    app.include_router(api_router, prefix=settings.API_V1_STR)
    # Every write under /api/v1 takes an Idempotency-Key; inside the body limit, which it reads.
    app.add_middleware(IdempotencyMiddleware, prefix=settings.API_V1_STR)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.MAX_BODY_BYTES, larger={
        f"{settings.API_V1_STR}/email/inbound": settings.EMAIL_MAX_BYTES})
    # Outermost, so refusals (413) carry the headers too.
    app.add_middleware(SecurityHeadersMiddleware, frame_ancestors=settings.FRAME_ANCESTORS,
                       docs_paths={p for p in (app.docs_url, app.redoc_url,
                                               app.swagger_ui_oauth2_redirect_url) if p})
    # After the API: the demo site at /, the widget at /widget/, the rep console at /console/.
    mount_web(app, dist=WIDGET_DIST)
    return app


def with_socketio(app: FastAPI) -> socketio.ASGIApp:
    """The app behind the Socket.IO server, on one port: /socket.io/ is chat, the rest is HTTP."""
    return socketio.ASGIApp(app.state.sio, app)


def app_factory() -> socketio.ASGIApp:
    """Entry point for `uvicorn --factory backend.main:app_factory`."""
    return with_socketio(create_app())
