"""Builds the WaterDesk backend application."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from backend.api.main import api_router
from backend.api.middleware import BodyLimitMiddleware
from backend.core.config import Settings, get_settings
from backend.core.db import make_engine
from backend.hub.bridge import RasaBridge


def _operation_id(route: APIRoute) -> str:
    # Stable, readable operation ids make generated clients pleasant.
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.bridge.close()
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
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings)
    app.state.bridge = RasaBridge(url=settings.RASA_URL, timeout=settings.RASA_TIMEOUT)
    app.include_router(api_router, prefix=settings.API_V1_STR)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.MAX_BODY_BYTES)
    return app


def app_factory() -> FastAPI:
    """Entry point for `uvicorn --factory backend.main:app_factory`."""
    return create_app()
