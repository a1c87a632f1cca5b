"""Strict HTTP/1.1: HEAD, Host, header limits and malformed heads, libmicrohttpd's own
refusals in the contract's shape, and refused bodies drained so that clients read the answer."""
import json
import socket
import urllib.error
import urllib.request

import pytest
import requests

from conftest import Server
from test_framing import connect, exchange, health_ok, parse_response, request_head, send_all, Reader

T = 30
MIB = 1024 * 1024


def assert_json_error(reader, status, detail, closed=True):
    """One response, the contract's {"detail"} with X-Request-ID; then the server closed."""
    assert reader.data, "no response at all"
    data = bytes(reader.data)
    assert data.count(b"HTTP/1.1 ") == 1, f"more than one response head: {data[:600]!r}"
    got, headers, body = parse_response(data)
    assert got == status, data[:400]
    assert headers["content-type"] == "application/json", headers
    assert headers.get("x-request-id"), headers
    assert json.loads(body) == {"detail": detail}
    if closed:
        assert reader.closed, "connection left open"


# ---------------------------------------------------------------- HEAD


def comparable(headers):
    return {k.lower(): v for k, v in headers.items() if k.lower() not in ("date", "x-request-id")}


@pytest.mark.parametrize("path", ["/health", "/openapi.json", "/docs", "/metrics", "/nowhere"])
def test_head_has_the_status_and_headers_of_get_and_no_body(base_url, path):
    got = requests.get(base_url + path, timeout=T)
    head = requests.head(base_url + path, timeout=T)
    assert head.status_code == got.status_code
    assert head.content == b""
    if path != "/metrics":  # its body (and so its length) changes between two requests
        assert comparable(head.headers) == comparable(got.headers)
    assert head.headers["X-Request-ID"]


def test_head_on_a_database_route_runs_its_get(customer):
    got = customer.get("/api/v1/users/me")
    head = requests.head(customer.base_url + "/api/v1/users/me", headers=customer.headers, timeout=T)
    assert got.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["Content-Length"] == got.headers["Content-Length"]
    anonymous = requests.head(customer.base_url + "/api/v1/users/me", timeout=T)
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"] == "Bearer"


def test_head_on_a_raw_socket_keeps_the_connection(server):
    sock = connect(server)
    try:
        sock.sendall(request_head("HEAD", "/health", []) + request_head("GET", "/health", []))
        sock.settimeout(5)
        data = b""
        while data.count(b"HTTP/1.1 200") < 2 or not data.endswith(b'{"status":"ok"}'):
            chunk = sock.recv(65536)
            assert chunk, data
            data += chunk
        first, second = data.split(b"HTTP/1.1 200")[1:]
        assert first.endswith(b"\r\n\r\n"), "HEAD sent a body"
        assert b"Content-Length: 15" in first
    finally:
        sock.close()


def test_405_allow_lists_head_where_get_is_allowed(base_url):
    for method, path, allow in [("DELETE", "/health", "GET, HEAD"),
                                ("DELETE", "/api/v1/users/me", "GET, HEAD, PATCH"),
                                ("PUT", "/api/v1/auth/login", "POST"),
                                ("HEAD", "/api/v1/auth/login", "POST")]:
        r = requests.request(method, base_url + path, timeout=T)
        assert r.status_code == 405, (method, path)
        assert r.headers["Allow"] == allow, (method, path)


# ---------------------------------------------------------------- Host


def test_http11_without_host_is_400_and_closed(server, base_url):
    assert_json_error(exchange(server, b"GET /health HTTP/1.1\r\n\r\n"), 400, "Bad Request")
    health_ok(base_url)


def test_http10_without_host_is_served(server):
    status, _, body = parse_response(exchange(server, b"GET /health HTTP/1.0\r\n\r\n").data)
    assert status == 200 and json.loads(body) == {"status": "ok"}


# ---------------------------------------------------------------- header limit


def big_header_request(size):
    return b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * size + b"\r\n\r\n"


@pytest.mark.parametrize("size", [24000, 100000])
def test_431_is_json_at_the_default_limit(server, base_url, size):
    """24 000 bytes is past the 16 384 default but inside libmicrohttpd's pool; 100 000 is past both."""
    assert_json_error(exchange(server, big_header_request(size)), 431, "Request Header Fields Too Large")
    health_ok(base_url)


@pytest.fixture(scope="module")
def small_heads(database_url):
    srv = Server(database_url, APPOINTD_MAX_HEADER_BYTES=4096)
    yield srv
    assert srv.stop() == 0


def test_header_limit_is_the_configured_one(small_heads):
    status, _, _ = parse_response(exchange(small_heads, big_header_request(3500)).data)
    assert status == 200
    assert_json_error(exchange(small_heads, big_header_request(4500)), 431,
                      "Request Header Fields Too Large")


# ---------------------------------------------------------------- malformed heads

MALFORMED = {
    "space before colon": b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
    "obs-fold": b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n chunked\r\n\r\n0\r\n\r\n",
    "folded host": b"GET /health HTTP/1.1\r\nHost: x\r\n y\r\n\r\n",
    "NUL in a value": b"GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n",
    "NUL in a name": b"GET /health HTTP/1.1\r\nHost: x\r\nX\x00A: b\r\n\r\n",
    "control byte in a value": b"GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n",
    "duplicate Host": b"GET /health HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
    "duplicate Host on HTTP/1.0": b"GET /health HTTP/1.0\r\nHost: x\r\nHost: y\r\n\r\n",
    "method GET NUL": b"GET\x00 /health HTTP/1.1\r\nHost: x\r\n\r\n",
    "method not a token": b"G(T /health HTTP/1.1\r\nHost: x\r\n\r\n",
    "two spaces after the method": b"GET  /health HTTP/1.1\r\nHost: x\r\n\r\n",
    "two spaces before the version": b"GET /health  HTTP/1.1\r\nHost: x\r\n\r\n",
    "bare LF": b"GET /health HTTP/1.1\nHost: x\n\n",
    "bare LF in one line": b"GET /health HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n",
    "Transfer-Encoding with trailing space": b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked \r\n\r\n0\r\n\r\n",
    "Transfer-Encoding with a vertical tab": b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \x0bchunked\r\n\r\n0\r\n\r\n",
    "Transfer-Encoding chunkedx": b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunkedx\r\n\r\n0\r\n\r\n",
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_head_is_400_and_closed(server, base_url, name):
    assert_json_error(exchange(server, MALFORMED[name]), 400, "Bad Request")
    health_ok(base_url)


def test_well_formed_heads_pass(server):
    """Controls for the cases above: OWS around a value, tabs, obs-text, a query string."""
    for raw in [b"GET /health HTTP/1.1\r\nHost: x\r\nX-A: \t a b \t\r\nConnection: close\r\n\r\n",
                b"GET /health HTTP/1.1\r\nhost: x\r\nX-Latin: caf\xe9\r\nConnection: close\r\n\r\n",
                b"GET /health?x=1%20&y HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"]:
        status, _, _ = parse_response(exchange(server, raw).data)
        assert status == 200, raw


# ---------------------------------------------------------------- libmicrohttpd's own refusals

MHD_REFUSALS = {
    "Content-Length +2": (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: +2\r\n\r\n{}",
                          400, "Bad Request"),
    "Content-Length abc": (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                           400, "Bad Request"),
    "Content-Length past 2^64": (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: "
                                 b"99999999999999999999999\r\n\r\n", 413, "Request body too large"),
    "line without a colon": (b"GET /health HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n", 400, "Bad Request"),
    "HTTP/2.0": (b"GET /health HTTP/2.0\r\nHost: x\r\n\r\n", 505, "HTTP Version Not Supported"),
    "HTTP/1.1 and a space": (b"GET /health HTTP/1.1 \r\nHost: x\r\n\r\n", 400, "Bad Request"),
    "bad chunk size": (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"zz\r\nhello\r\n0\r\n\r\n", 400, "Bad Request"),
    "URI past the pool": (b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "URI Too Long"),
}


@pytest.mark.parametrize("name", sorted(MHD_REFUSALS))
def test_libmicrohttpd_refusals_are_ours(server, base_url, name):
    raw, status, detail = MHD_REFUSALS[name]
    assert_json_error(exchange(server, raw), status, detail)
    health_ok(base_url)


# ---------------------------------------------------------------- refused bodies are drained

BIG_BODY_ROUTE = "/api/v1/users/me"  # 1 MiB limit


@pytest.mark.parametrize("size", [MIB + 1, 3 * MIB])
def test_urllib_reads_the_413_of_a_body_it_sends_whole(base_url, size):
    req = urllib.request.Request(base_url + BIG_BODY_ROUTE, data=b"x" * size, method="PATCH",
                                 headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=T)
    assert refused.value.code == 413
    assert json.loads(refused.value.read()) == {"detail": "Request body too large"}
    assert refused.value.headers["X-Request-ID"]


def test_auth_route_413_is_read_after_the_whole_body(server):
    """16 KiB limit; the body is sent whole, and only then read, as urllib does."""
    body = b"x" * (512 * 1024)
    sock = connect(server)
    try:
        head = request_head("POST", "/api/v1/auth/login", [
            ("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        assert send_all(sock, [head, body]), "the server stopped reading the body it refused"
        reader = Reader(sock, 5)
        reader.run()
    finally:
        sock.close()
    assert_json_error(reader, 413, "Request body too large")


def test_body_past_the_drain_bound_is_answered_at_once(server, base_url):
    """8 MiB declared: past the 4 MiB drain bound, the 413 goes out before any body is read."""
    head = request_head("PATCH", BIG_BODY_ROUTE, [
        ("Content-Type", "application/json"), ("Content-Length", str(8 * MIB))])
    assert_json_error(exchange(server, head), 413, "Request body too large")
    health_ok(base_url)


def test_expect_100_continue_gets_the_413_instead_of_100(server):
    head = request_head("PATCH", BIG_BODY_ROUTE, [
        ("Content-Type", "application/json"), ("Content-Length", str(2 * MIB)),
        ("Expect", "100-continue")])
    reader = exchange(server, head)
    assert b"100 Continue" not in bytes(reader.data)
    assert_json_error(reader, 413, "Request body too large")


def test_drained_connection_is_closed_after_the_answer(server):
    """The drain reads the declared body, answers, and does not read a second request."""
    body = b"x" * (MIB + 10)
    head = request_head("PATCH", BIG_BODY_ROUTE, [
        ("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    reader = exchange(server, [head, body, request_head("GET", "/health", [])])
    assert_json_error(reader, 413, "Request body too large")
    assert b'{"status":"ok"}' not in bytes(reader.data)


def test_socket_is_usable_after_a_refusal_that_keeps_alive(server):
    """Control: a 404 with a small body is read and dropped and the connection stays."""
    sock = connect(server)
    try:
        sock.sendall(request_head("POST", "/nowhere", [("Content-Length", "2")]) + b"{}" +
                     request_head("GET", "/health", []))
        sock.settimeout(5)
        data = b""
        while b'{"status":"ok"}' not in data:
            chunk = sock.recv(65536)
            assert chunk, data
            data += chunk
        assert data.startswith(b"HTTP/1.1 404")
    finally:
        sock.shutdown(socket.SHUT_RDWR)
        sock.close()
