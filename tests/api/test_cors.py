"""CORS (API.md "Conventions"): CORS_ORIGINS lists exact origins. A listed origin gets
Access-Control-Allow-Origin, Vary and Access-Control-Expose-Headers on every response,
errors too, and its preflight a 204; any other origin gets no CORS header, and its
preflight a 403. OPTIONS on an unknown path stays a 404."""
import json
import socket

import pytest
import requests

from conftest import Server

APP = "https://app.example.com"
LOCAL = "http://localhost:3000"
EXPOSE = "Location, Retry-After, X-Request-ID"
ALLOW_HEADERS = "Authorization, Content-Type, Idempotency-Key, Last-Event-ID, X-Request-ID"


@pytest.fixture(scope="module")
def cors(tmp_path_factory):
    srv = Server("sqlite:" + str(tmp_path_factory.mktemp("cors") / "cors.db"),
                 CORS_ORIGINS=f" {APP},{LOCAL} ")
    yield srv
    assert srv.stop() == 0


def cors_headers(r):
    return {k.lower(): v for k, v in r.headers.items() if k.lower().startswith("access-control-")}


def assert_cors(r, origin):
    assert r.headers.get("Access-Control-Allow-Origin") == origin, dict(r.headers)
    assert r.headers.get("Vary") == "Origin"
    assert r.headers.get("Access-Control-Expose-Headers") == EXPOSE


def assert_no_cors(r):
    assert cors_headers(r) == {}, dict(r.headers)


def preflight(url, path, origin, method="GET"):
    headers = {"Access-Control-Request-Method": method,
               "Access-Control-Request-Headers": "authorization, content-type"}
    if origin:
        headers["Origin"] = origin
    return requests.options(url + path, headers=headers, timeout=30)


def test_listed_origin_gets_cors_headers(cors):
    for origin in (APP, LOCAL):
        r = requests.get(cors.url + "/health", headers={"Origin": origin}, timeout=30)
        assert r.status_code == 200
        assert_cors(r, origin)
        assert "Access-Control-Allow-Methods" not in r.headers  # only preflights name methods


def test_listed_origin_gets_cors_headers_on_errors(cors):
    h = {"Origin": APP}
    cases = [
        requests.get(cors.url + "/api/v1/users/me", headers=h, timeout=30),                # 401
        requests.get(cors.url + "/nowhere", headers=h, timeout=30),                        # 404
        requests.delete(cors.url + "/api/v1/users/me", headers=h, timeout=30),             # 405
        requests.post(cors.url + "/api/v1/auth/signup", data="{bad", timeout=30,
                      headers=dict(h, **{"Content-Type": "application/json"})),           # 422
        requests.post(cors.url + "/api/v1/auth/login", data=b"x" * 20000, timeout=30,
                      headers=dict(h, **{"Content-Type": "application/json"})),           # 413
    ]
    assert [r.status_code for r in cases] == [401, 404, 405, 422, 413]
    for r in cases:
        assert_cors(r, APP)
    assert cases[0].headers["WWW-Authenticate"] == "Bearer"
    assert cases[2].headers["Allow"] == "GET, HEAD, PATCH"


def test_listed_origin_gets_cors_headers_on_a_framing_error(cors):
    s = socket.create_connection(("127.0.0.1", cors.port), timeout=10)
    try:
        s.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nOrigin: " + APP.encode() +
                  b"\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}")
        head = s.recv(65536).split(b"\r\n\r\n")[0].decode("latin-1").lower()
    finally:
        s.close()
    assert head.startswith("http/1.1 400")
    assert f"access-control-allow-origin: {APP}" in head and "vary: origin" in head, head


def test_preflight_of_a_listed_origin(cors):
    r = preflight(cors.url, "/api/v1/users/me", APP, "PATCH")
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert_cors(r, APP)
    assert r.headers["Access-Control-Allow-Methods"] == "GET, HEAD, PATCH"
    assert r.headers["Access-Control-Allow-Headers"] == ALLOW_HEADERS
    assert r.headers["Access-Control-Max-Age"] == "600"
    assert r.headers["X-Request-ID"]


@pytest.mark.parametrize("path", ["/api/v1/users/7", "/api/v1/bookings", "/api/v1/bookings/3/cancel",
                                  "/health", "/api/v1/providers/2/time-off/9"])
def test_preflight_names_the_methods_of_the_path_as_allow_does(cors, path):
    r = preflight(cors.url, path, LOCAL)
    assert r.status_code == 204
    # The router's Allow for the path: what a 405 on it lists.
    wrong = requests.request("PUT" if path != "/api/v1/users/7" else "DELETE", cors.url + path, timeout=30)
    assert wrong.status_code == 405
    assert r.headers["Access-Control-Allow-Methods"] == wrong.headers["Allow"]


def test_unlisted_origin_gets_no_cors_header_and_a_403_preflight(cors):
    for origin in ("https://evil.example.com", "https://app.example.com.evil.net", "http://app.example.com",
                   "https://app.example.com:8443", "null"):
        r = requests.get(cors.url + "/health", headers={"Origin": origin}, timeout=30)
        assert r.status_code == 200
        assert_no_cors(r)
        assert "Vary" not in r.headers
        r = preflight(cors.url, "/api/v1/users/me", origin)
        assert r.status_code == 403, (origin, r.status_code)
        assert isinstance(r.json()["detail"], str)
        assert_no_cors(r)
        assert "Allow" not in r.headers


def test_no_origin_no_cors_headers(cors):
    r = requests.get(cors.url + "/health", timeout=30)
    assert_no_cors(r)
    # Without Access-Control-Request-Method an OPTIONS is no preflight: a 405 as before.
    r = requests.options(cors.url + "/api/v1/users/me", headers={"Origin": APP}, timeout=30)
    assert r.status_code == 405
    assert_cors(r, APP)
    # A preflight without an Origin is not of a listed one.
    assert preflight(cors.url, "/api/v1/users/me", None).status_code == 403


def test_options_on_an_unknown_path_stays_404(cors):
    r = preflight(cors.url, "/api/v1/nothing/here", APP)
    assert r.status_code == 404
    assert r.json() == {"detail": "Not Found"}
    assert_cors(r, APP)
    assert preflight(cors.url, "/api/v1/nothing/here", "https://evil.example.com").status_code == 404


def test_without_cors_origins_every_preflight_is_403(base_url):
    r = requests.get(base_url + "/health", headers={"Origin": APP}, timeout=30)
    assert_no_cors(r)
    assert preflight(base_url, "/api/v1/users/me", APP).status_code == 403


@pytest.mark.parametrize("spec", ["https://app.example.com/", "app.example.com", "ftp://app.example.com",
                                  "https://app.example.com/path", "*", "https://a.example.com,,https://b.example.com",
                                  "https://app.example.com:port"])
def test_a_bad_cors_origins_entry_stops_the_start(tmp_path, spec):
    with pytest.raises(RuntimeError) as info:
        Server("sqlite:" + str(tmp_path / "bad.db"), CORS_ORIGINS=spec)
    message = str(info.value)
    assert "exited with 2" in message, message
    log = open(message.rsplit("log: ", 1)[1], errors="replace").read()
    assert "CORS_ORIGINS" in log and "is not an origin" in log, log
