"""The station's web page (GET /ui): sign in with a token, pick a period, read the tables and the trend,
download the forms. Plain HTML, CSS and JavaScript shipped with the service: the station's machines may
have no internet, so nothing is loaded from a CDN.

The page itself holds no data and needs no token; everything it shows comes from the token-guarded
API, called by the page with the token the user typed.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

router = APIRouter(prefix="/ui", include_in_schema=False)

FILES = {
    "": ("index.html", "text/html; charset=utf-8"),
    "app.js": ("app.js", "text/javascript; charset=utf-8"),
    "app.css": ("app.css", "text/css; charset=utf-8"),
}
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@router.get("")
@router.get("/{name}")
def page(name: str = "") -> Response:
    if name not in FILES:
        raise HTTPException(404)
    filename, media_type = FILES[name]
    body = resources.files("services.reporting").joinpath("static", filename).read_bytes()
    return Response(body, media_type=media_type, headers=HEADERS)
