"""HTTP framing, body limits, slow clients and robustness, over raw sockets (API.md: Conventions)."""
import json
import select
import socket
import threading
import time

import requests

from conftest import unique_email

T = 30
MIB = 1024 * 1024


# ---------------------------------------------------------------- raw HTTP helpers


def connect(server, timeout=10):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Reader(threading.Thread):
    """Reads everything the server sends until EOF/reset or the deadline; runs while we are still sending."""

    def __init__(self, sock, timeout):
        super().__init__(daemon=True)
        self.sock, self.timeout = sock, timeout
        self.data = bytearray()
        self.closed = False      # EOF or reset seen
        self.closed_at = None
        self.start_time = time.monotonic()

    def run(self):
        deadline = self.start_time + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                ready, _, _ = select.select([self.sock], [], [], left)
            except (OSError, ValueError):
                self.closed, self.closed_at = True, time.monotonic()
                return
            if not ready:
                return
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, ConnectionAbortedError, OSError):
                self.closed, self.closed_at = True, time.monotonic()
                return
            if not chunk:
                self.closed, self.closed_at = True, time.monotonic()
                return
            self.data += chunk


def send_all(sock, parts, pause=0.0):
    """Sends parts; returns False when the server has stopped accepting data."""
    for part in parts:
        try:
            sock.sendall(part)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout, OSError):
            return False
        if pause:
            time.sleep(pause)
    return True


def exchange(server, parts, timeout=5, half_close=False):
    """Sends raw request bytes and collects the reply until the server closes or `timeout` passes."""
    sock = connect(server)
    reader = Reader(sock, timeout)
    reader.start()
    send_all(sock, parts if isinstance(parts, list) else [parts])
    if half_close:
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    reader.join(timeout + 5)
    sock.close()
    return reader


def parse_response(data):
    """(status, headers{lower: value}, body bytes) of the first response in data."""
    head, sep, rest = bytes(data).partition(b"\r\n\r\n")
    assert sep, f"no complete response head in {bytes(data)[:200]!r}"
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    assert parts[0].startswith("HTTP/1."), lines[0]
    status = int(parts[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        body = rest[: int(headers["content-length"])]
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body, buf = b"", rest
        while True:
            size_line, _, buf = buf.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                break
            body, buf = body + buf[:size], buf[size + 2:]
    else:
        body = rest
    return status, headers, body


def read_one_response(sock, timeout=5):
    """Reads exactly one Content-Length framed response from a keep-alive socket."""
    sock.settimeout(timeout)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before a full response head: {buf!r}"
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    status, headers, _ = parse_response(head + b"\r\n\r\n")
    n = int(headers["content-length"])
    while len(rest) < n:
        chunk = sock.recv(65536)
        assert chunk, "connection closed mid-body"
        rest += chunk
    return status, headers, rest[:n]


def signup_json():
    return json.dumps({"name": "Framing", "email": unique_email("frame"), "password": "password-123"}).encode()


def request_head(method, path, headers):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"] + [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def chunked(body, size=4096):
    out = b""
    for i in range(0, len(body), size):
        piece = body[i:i + size]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
    return out + b"0\r\n\r\n"


def assert_400_and_closed(reader):
    assert reader.data, "no response at all"
    status, _, _ = parse_response(reader.data)
    assert status == 400, bytes(reader.data)[:300]
    assert reader.closed, "connection left open after a 400 framing error"
    assert reader.closed_at - reader.start_time < 5


def health_ok(base_url, limit=1.5):
    t0 = time.monotonic()
    r = requests.get(base_url + "/health", timeout=10)
    took = time.monotonic() - t0
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert took < limit, f"/health took {took:.2f}s"


# ---------------------------------------------------------------- strict framing


def test_content_length_and_chunked_is_400_and_closed(server, base_url):
    body = signup_json()
    head = request_head("POST", "/api/v1/auth/signup", [
        ("Content-Type", "application/json"), ("Content-Length", str(len(body))),
        ("Transfer-Encoding", "chunked")])
    reader = exchange(server, head + chunked(body))
    assert_400_and_closed(reader)
    health_ok(base_url)


def test_chunked_then_content_length_is_400_and_closed(server):
    body = signup_json()
    head = request_head("POST", "/api/v1/auth/signup", [
        ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked"),
        ("Content-Length", str(len(body)))])
    assert_400_and_closed(exchange(server, head + chunked(body)))


def test_two_content_lengths_is_400_and_closed(server):
    body = signup_json()
    for second in (len(body), len(body) + 1):
        head = request_head("POST", "/api/v1/auth/signup", [
            ("Content-Type", "application/json"), ("Content-Length", str(len(body))),
            ("Content-Length", str(second))])
        assert_400_and_closed(exchange(server, head + body))


def test_transfer_coding_other_than_chunked_is_400_and_closed(server, base_url):
    body = signup_json()
    for coding in ("gzip", "gzip, chunked", "identity"):
        head = request_head("POST", "/api/v1/auth/signup", [
            ("Content-Type", "application/json"), ("Transfer-Encoding", coding)])
        payload = head + (chunked(body) if coding.endswith("chunked") else body)
        t0 = time.monotonic()
        reader = exchange(server, payload)
        assert time.monotonic() - t0 < 6, coding
        assert_400_and_closed(reader)
    health_ok(base_url)


def test_valid_chunked_request_is_accepted(server):
    """Control: chunked alone is fine, so the 400s above are about the framing."""
    body = signup_json()
    head = request_head("POST", "/api/v1/auth/signup", [
        ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked"), ("Connection", "close")])
    reader = exchange(server, head + chunked(body, size=7))
    status, _, resp = parse_response(reader.data)
    assert status == 201, bytes(reader.data)[:300]
    assert json.loads(resp)["email"] == json.loads(body)["email"]


# ---------------------------------------------------------------- body size


def assert_413(reader):
    assert reader.data, "no response"
    status, headers, body = parse_response(reader.data)
    assert status == 413, bytes(reader.data)[:300]
    assert json.loads(body) == {"detail": "Request body too large"}


# The contract's 1 MiB, on a route without a smaller limit of its own (the auth routes
# take 16 KiB: test_body_limits.py). The size is checked before the token.
BIG_BODY_ROUTE = "/api/v1/users/me"


def test_body_over_1mib_content_length(server, base_url):
    body = b'{"pad":"' + b"x" * (MIB + 1 - 10) + b'"}'
    assert len(body) == MIB + 1
    head = request_head("PATCH", BIG_BODY_ROUTE, [
        ("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    parts = [head] + [body[i:i + 65536] for i in range(0, len(body), 65536)]
    reader = exchange(server, parts, timeout=10)
    assert_413(reader)
    health_ok(base_url)


def test_body_over_1mib_chunked(server, base_url):
    body = b'{"pad":"' + b"y" * (MIB + 100) + b'"}'
    head = request_head("PATCH", BIG_BODY_ROUTE, [
        ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")])
    data = chunked(body, size=65536)
    parts = [head] + [data[i:i + 65536] for i in range(0, len(data), 65536)]
    reader = exchange(server, parts, timeout=10)
    assert_413(reader)
    health_ok(base_url)


def test_body_of_exactly_1mib_is_accepted(make_user):
    user = make_user("customer")
    prefix = json.dumps({"name": "Big"})[:-1] + ', "pad": "'
    body = (prefix + "z" * (MIB - len(prefix) - 2) + '"}').encode()
    assert len(body) == MIB
    r = user.patch(BIG_BODY_ROUTE, data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text[:300]
    assert r.json()["name"] == "Big"


# ---------------------------------------------------------------- slow clients


def slow_sender(server, head, byte_source, result, limit=15):
    """Sends head at once, then one byte of byte_source per second until the server cuts us off."""
    sock = connect(server, timeout=limit)
    t0 = time.monotonic()
    try:
        if head and not send_all(sock, [head]):
            result["closed_after"] = time.monotonic() - t0
            return
        for b in byte_source:
            if time.monotonic() - t0 > limit:
                return
            if not send_all(sock, [bytes([b])]):
                result["closed_after"] = time.monotonic() - t0
                return
            ready, _, _ = select.select([sock], [], [], 1.0)
            if ready:
                try:
                    chunk = sock.recv(65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    result["closed_after"] = time.monotonic() - t0
                    return
                result["data"] = result.get("data", b"") + chunk
    finally:
        sock.close()


def endless(prefix):
    yield from prefix
    while True:
        yield ord("a")


def run_slow_client_test(server, base_url, head, source):
    result = {}
    t = threading.Thread(target=slow_sender, args=(server, head, source, result), daemon=True)
    t.start()
    # Meanwhile everybody else is served promptly.
    while t.is_alive():
        health_ok(base_url)
        t.join(0.5)
    assert "closed_after" in result, f"slow client was never disconnected: {result}"
    assert result["closed_after"] < 10, result
    health_ok(base_url)


def test_slow_headers_are_cut_off(server, base_url):
    source = endless(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    run_slow_client_test(server, base_url, b"", source)


def test_slow_body_is_cut_off(server, base_url):
    head = request_head("POST", "/api/v1/auth/login", [
        ("Content-Type", "application/json"), ("Content-Length", "200")])
    run_slow_client_test(server, base_url, head, endless(b'{"email": "'))


def test_idle_partial_requests_do_not_starve_others(server, base_url):
    socks = []
    try:
        for i in range(50):
            s = connect(server)
            s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Idle: ")
            socks.append(s)
        for _ in range(5):
            health_ok(base_url)
        r = requests.post(base_url + "/api/v1/auth/signup", data=signup_json(),
                          headers={"Content-Type": "application/json"}, timeout=5)
        assert r.status_code == 201
    finally:
        for s in socks:
            s.close()


def test_malformed_requests_do_not_hurt_the_server(server, base_url):
    # Bad JSON and wrong content types through a normal client.
    for data, ctype in [(b"{bad", "application/json"), (b'{"a":', "application/json"),
                        (signup_json(), "text/plain"), (b"\x00\xff", "application/octet-stream")]:
        r = requests.post(base_url + "/api/v1/auth/signup", data=data, headers={"Content-Type": ctype}, timeout=T)
        assert r.status_code == 422, (data, ctype, r.status_code)
    # Truncated bodies: Content-Length promises more than is sent, then the client goes away.
    for _ in range(5):
        s = connect(server)
        s.sendall(request_head("POST", "/api/v1/auth/signup", [
            ("Content-Type", "application/json"), ("Content-Length", "500")]) + b'{"name": "trunc')
        s.close()
    # Garbage request lines and headers.
    garbage = [
        b"GARBAGE\r\n\r\n",
        b"\x00\x01\x02\xff\xfe\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET /health HTTP/9.9\r\nHost: x\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST /api/v1/auth/signup HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"POST /api/v1/auth/signup HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 100000 + b"\r\n\r\n",
    ]
    for raw in garbage:
        reader = exchange(server, raw, timeout=5, half_close=True)
        if reader.data:
            status = int(bytes(reader.data).split(b" ", 2)[1])
            assert 400 <= status < 500 or status == 505, (raw[:60], bytes(reader.data)[:200])
        health_ok(base_url)
    health_ok(base_url)
    r = requests.post(base_url + "/api/v1/auth/signup", data=signup_json(),
                      headers={"Content-Type": "application/json"}, timeout=T)
    assert r.status_code == 201, r.text


def test_keep_alive_with_session(base_url):
    with requests.Session() as s:
        r1 = s.get(base_url + "/health", timeout=T)
        r2 = s.post(base_url + "/api/v1/auth/signup", data=signup_json(),
                    headers={"Content-Type": "application/json"}, timeout=T)
        r3 = s.get(base_url + "/health", timeout=T)
        assert r1.status_code == 200 and r2.status_code == 201 and r3.status_code == 200
        assert r1.headers.get("Connection", "").lower() != "close"
        pool = s.get_adapter(base_url).poolmanager.connection_from_url(base_url)
        assert pool.num_connections == 1, f"{pool.num_connections} connections were opened for 3 requests"


def test_keep_alive_raw_socket(server):
    sock = connect(server)
    try:
        body = signup_json()
        sock.sendall(request_head("POST", "/api/v1/auth/signup", [
            ("Content-Type", "application/json"), ("Content-Length", str(len(body)))]) + body)
        status, _, resp = read_one_response(sock)
        assert status == 201, resp
        for _ in range(2):
            sock.sendall(request_head("GET", "/health", []))
            status, _, resp = read_one_response(sock)
            assert status == 200 and json.loads(resp) == {"status": "ok"}
        # An error response (422) keeps the connection usable too.
        bad = b"{nope"
        sock.sendall(request_head("POST", "/api/v1/auth/signup", [
            ("Content-Type", "application/json"), ("Content-Length", str(len(bad)))]) + bad)
        status, _, _ = read_one_response(sock)
        assert status == 422
        sock.sendall(request_head("GET", "/health", []))
        status, _, _ = read_one_response(sock)
        assert status == 200
    finally:
        sock.close()


def test_oversized_headers_are_refused_and_small_ones_pass(server, base_url):
    # APPOINTD_MAX_HEADER_BYTES is 16384 by default: 8 KiB passes, 64 KiB is a 431.
    for size, expected in ((8 * 1024, 200), (64 * 1024, 431)):
        sock = connect(server)
        try:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * size + b"\r\n\r\n")
            sock.settimeout(5)
            status_line = sock.recv(4096).split(b"\r\n", 1)[0]
            assert status_line.split(b" ")[1] == str(expected).encode(), (size, status_line)
        finally:
            sock.close()
    health_ok(base_url)
