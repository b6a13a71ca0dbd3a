"""Serves the built web bundle (widget/dist): the widget script, the demo site and the rep console.

    /widget/waterdesk.js   the embeddable widget (districts link to this URL, so it isn't renamed)
    /                      the demo district site (its assets under /demo/)
    /console/              the rep console

Only these paths are added; /api, /docs and /socket.io stay the backend's. A bundle that wasn't
built answers 503 with a page that says how to build it, instead of a bare 404.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

# HTML revalidates every time (a new build shows at once); scripts, styles and images may be
# reused for five minutes, then revalidate cheaply with the ETag StaticFiles sends.
HTML_CACHE = "no-cache"
ASSET_CACHE = "public, max-age=300, stale-while-revalidate=86400"

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>WaterDesk: web bundle not built</title>
</head>
<body><h1>The web bundle has not been built</h1>
<p>The chat widget, the demo site and the rep console are built from <code>widget/</code>.
Run <code>scripts/build-web</code> (the bootstrap does it), then reload this page.</p>
<p>The API is up: see <a href="/docs">/docs</a>.</p></body></html>"""


class BundleFiles(StaticFiles):
    """StaticFiles over one folder of the bundle, with cache headers and a 503 when unbuilt."""

    def __init__(self, *, directory: Path, marker: Path) -> None:
        super().__init__(directory=directory, html=True, check_dir=False)
        self.marker = marker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.marker.is_file():
            await not_built()(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def file_response(self, full_path, stat_result, scope, status_code=200):  # type: ignore[no-untyped-def]
        response = super().file_response(full_path, stat_result, scope, status_code)
        _cache(response, str(full_path))
        return response


def _cache(response: Response, path: str) -> None:
    response.headers["Cache-Control"] = HTML_CACHE if path.endswith(".html") else ASSET_CACHE
    response.headers.setdefault("X-Content-Type-Options", "nosniff")


def not_built() -> HTMLResponse:
    return HTMLResponse(NOT_BUILT, status_code=503, headers={"Retry-After": "30",
                                                             "Cache-Control": "no-store"})


def mount_web(app: FastAPI, *, dist: Path) -> None:
    """Serve widget/dist on `app`. Call it after the API routers so they keep their paths."""
    dist = Path(dist)
    marker = dist / "widget" / "waterdesk.js"  # the build writes it; its absence means "not built"
    for prefix, folder in (("/widget", "widget"), ("/console", "console"), ("/demo", "demo")):
        app.mount(prefix, BundleFiles(directory=dist / folder, marker=marker), name=f"web-{folder}")

    @app.get("/", include_in_schema=False, response_model=None)
    def demo_site() -> Response:
        page = dist / "demo" / "index.html"
        if not (marker.is_file() and page.is_file()):
            return not_built()
        response = FileResponse(page, media_type="text/html")
        _cache(response, str(page))
        return response
