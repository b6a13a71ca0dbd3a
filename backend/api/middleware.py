"""Pure-ASGI middleware: a guard that refuses oversized request bodies before they are read
into memory, and the headers that tell browsers what a response may do."""

import json

from starlette.datastructures import URL
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int,
                 larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.default_max = max_bytes
        # Paths that take bigger bodies, such as raw email with attachments.
        self.larger = larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.larger.get(scope.get("path", ""), self.default_max)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await self._refuse(send, max_bytes)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send, max_bytes)

    async def _refuse(self, send: Send, max_bytes: int) -> None:
        body = json.dumps(
            {"detail": f"Request body is larger than {max_bytes} bytes"}
        ).encode()
        await send({
            "type": "http.response.start", "status": 413,
            "headers": [(b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode())],
        })
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


# Pages run only their own scripts and load only their own stylesheets: no inline styles. The
# widget adopts a constructed stylesheet in its shadow root and the console sets computed styles
# through element.style, both of which CSP exempts (a <style> element or style= would be blocked).
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
               "object-src 'none'; base-uri 'none'; form-action 'self'")
# Swagger UI (/docs) and ReDoc (/redoc) load from jsDelivr and start with an inline script.
DOCS_POLICY = ("default-src 'self'; "
               "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/ "
               "https://cdn.jsdelivr.net/npm/redoc@2/; "
               "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/ "
               "https://fonts.googleapis.com; font-src 'self' https://fonts.gstatic.com; "
               "img-src 'self' data: https:; worker-src 'self' blob:; object-src 'none'; "
               "base-uri 'none'; form-action 'self'")
# JSON, scripts, styles, images: nothing opened directly may load or run anything.
OTHER_POLICY = "default-src 'none'"


class SecurityHeadersMiddleware:
    """What browsers are told about every response: a Content-Security-Policy (strict on pages,
    relaxed for the API docs), who may frame it, no MIME sniffing, and a Referrer-Policy. And
    redirects never name the host the client sent: they become relative (Location: /console/)."""

    def __init__(self, app: ASGIApp, *, frame_ancestors: str,
                 docs_paths: set[str] | None = None) -> None:
        self.app = app
        self.docs_paths = docs_paths or set()
        # X-Frame-Options for browsers without frame-ancestors; it can't name other sites.
        xfo = {"'self'": b"SAMEORIGIN", "'none'": b"DENY"}.get(frame_ancestors)
        common = [(b"x-content-type-options", b"nosniff"),
                  # Not no-referrer: by the Fetch spec (Firefox follows it) that turns the Origin
                  # of same-origin POSTs into "null", which Socket.IO's polling would refuse.
                  (b"referrer-policy", b"strict-origin-when-cross-origin")]
        ancestors = f"; frame-ancestors {frame_ancestors}"
        self.page = [*common, (b"content-security-policy", (PAGE_POLICY + ancestors).encode())]
        self.docs = [*common, (b"content-security-policy", (DOCS_POLICY + ancestors).encode())]
        if xfo:
            self.page.append((b"x-frame-options", xfo))
            self.docs.append((b"x-frame-options", xfo))
        self.other = [*common, (b"content-security-policy",
                                (OTHER_POLICY + "; frame-ancestors 'none'").encode()),
                      (b"x-frame-options", b"DENY")]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                if 300 <= message["status"] < 400:
                    headers = [(n, _relative(v, scope) if n.lower() == b"location" else v)
                               for n, v in headers]
                ctype = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                extra = (self.other if not ctype.startswith(b"text/html") else
                         self.docs if scope.get("path") in self.docs_paths else self.page)
                headers += [(n, v) for n, v in extra if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _relative(location: bytes, scope: Scope) -> bytes:
    """Location without the scheme and host it was built from (Starlette builds redirects from
    the Host header, which the client chooses), as a path that can't leave this site."""
    origin = URL(scope={**scope, "path": "/", "query_string": b""})
    prefix = f"{origin.scheme}://{origin.netloc}".encode("latin-1")
    if not origin.netloc or not location.startswith(prefix) or \
            location[len(prefix):len(prefix) + 1] not in (b"", b"/", b"?"):
        return location
    # One leading slash: "//evil.example/" would be another site.
    return b"/" + location[len(prefix):].lstrip(b"/\\")
