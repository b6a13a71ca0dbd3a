"""The action server: rasa_sdk's app, on loopback by default, answering only callers that present
the shared action token (Rasa sends it as a header, see bot/endpoints.yml).

Run as `python -m actions.server --port 5055`. rasa_sdk's own entry point listens on every
interface and accepts anyone, so it is never used."""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys

HEADER = "X-Action-Token"
DEV_ACTION_TOKEN = "dev-only-action-token"


def token_from_env() -> str:
    """The shared secret; the development default is refused outside development."""
    token = os.environ.get("ACTION_TOKEN") or DEV_ACTION_TOKEN
    environment = os.environ.get("ENVIRONMENT", "development")
    if environment != "development" and token == DEV_ACTION_TOKEN:
        raise SystemExit("ACTION_TOKEN still has its development default; set ACTION_TOKEN "
                         f"for ENVIRONMENT={environment}")
    if len(token) < 16:
        raise SystemExit("ACTION_TOKEN must be at least 16 characters")
    return token


def create_app(*, token: str, package: str = "actions"):  # type: ignore[no-untyped-def]
    from rasa_sdk.endpoint import create_app as sdk_app
    from sanic import response

    # No CORS: only Rasa calls this server, never a browser.
    app = sdk_app(package, cors_origins=None)
    expected = token.encode()

    @app.middleware("request")
    async def require_token(request):  # type: ignore[no-untyped-def]
        if request.path == "/health":
            return None
        presented = (request.headers.get(HEADER) or "").encode()
        if not hmac.compare_digest(presented, expected):
            return response.json({"error": "missing or wrong action token"}, status=401)
        return None

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="WaterDesk's action server")
    parser.add_argument("--host", default=os.environ.get("ACTIONS_HOST", "127.0.0.1"),
                        help="interface to listen on (loopback unless set)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTIONS_PORT", 5055)))
    args = parser.parse_args(argv)
    token = token_from_env()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app(token=token)
    app.run(args.host, args.port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
