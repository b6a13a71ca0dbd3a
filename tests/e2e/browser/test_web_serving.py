"""backend.web.mount_web: the bundle's paths, cache headers, a 503 page when unbuilt, and the
API's own paths left alone. (No browser needed; it lives beside the browser tests it serves.)"""

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.web import mount_web


def make_dist(root: Path) -> Path:
    for name, text in {"widget/waterdesk.js": "/*w*/", "console/index.html": "<p>console</p>",
                       "console/console.js": "/*c*/", "demo/index.html": "<h1>demo</h1>",
                       "demo/site.css": "body{}"}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def app_with(dist: Path) -> TestClient:
    app = FastAPI()

    @app.get("/api/v1/ping")
    def ping() -> dict[str, bool]:
        return {"ok": True}

    mount_web(app, dist=dist)
    return TestClient(app)


def test_serves_the_widget_the_demo_site_and_the_console(tmp_path):
    client = app_with(make_dist(tmp_path))
    page = client.get("/")
    assert page.status_code == 200 and "demo" in page.text
    assert page.headers["cache-control"] == "no-cache"
    script = client.get("/widget/waterdesk.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert script.headers["cache-control"].startswith("public, max-age=")
    assert client.get("/widget/waterdesk.js", headers={"If-None-Match": script.headers["etag"]}
                      ).status_code == 304
    assert client.get("/console/").text == "<p>console</p>"
    assert client.get("/console", follow_redirects=False).status_code in (307, 308)
    assert client.get("/demo/site.css").status_code == 200
    assert client.get("/api/v1/ping").json() == {"ok": True}
    assert client.get("/docs").status_code == 200
    assert client.get("/widget/missing.js").status_code == 404


def test_an_unbuilt_bundle_answers_503_with_how_to_build_it(tmp_path):
    client = app_with(tmp_path / "dist")
    for path in ("/", "/widget/waterdesk.js", "/console/", "/demo/site.css"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert "scripts/build-web" in response.text
    assert client.get("/api/v1/ping").status_code == 200
