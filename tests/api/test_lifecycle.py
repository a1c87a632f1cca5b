"""Process lifecycle: graceful shutdown on SIGTERM."""
import json
import os
import signal
import socket
import sqlite3
import threading
import time

import pytest
import requests

from conftest import Server, unique_email


def test_sigterm_finishes_in_flight_request(tmp_path):
    # A high bcrypt cost makes a login slow enough to still be running when SIGTERM arrives.
    srv = Server("sqlite:" + str(tmp_path / "lifecycle.db"), BCRYPT_COST="13")
    try:
        email, password = unique_email("term"), "password-term-1"
        t0 = time.monotonic()
        r = requests.post(srv.url + "/api/v1/auth/signup",
                          json={"name": "Term", "email": email, "password": password}, timeout=60)
        hash_time = time.monotonic() - t0  # signup hashes once, login verifies once: about the same work
        assert r.status_code == 201, r.text

        result = {}

        def do_login():
            try:
                resp = requests.post(srv.url + "/api/v1/auth/login",
                                     json={"email": email, "password": password}, timeout=60)
                result["status"] = resp.status_code
                result["body"] = resp.json()
            except Exception as e:  # recorded and asserted below
                result["error"] = repr(e)
            result["done"] = time.monotonic()

        t = threading.Thread(target=do_login)
        t.start()
        time.sleep(max(0.05, hash_time / 4))
        assert t.is_alive(), "login finished before SIGTERM; the test did not test anything"
        signalled = time.monotonic()
        code = srv.stop()
        t.join(60)
        assert "error" not in result, result
        assert result["done"] > signalled
        assert result["status"] == 200, result
        assert result["body"].get("token_type") == "bearer" and result["body"].get("access_token")
        assert code == 0, f"exit code {code}"
        # After shutdown nothing listens any more.
        try:
            requests.get(srv.url + "/health", timeout=2)
            listening = True
        except requests.ConnectionError:
            listening = False
        assert not listening
    finally:
        if srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait()


def test_sigterm_when_idle_exits_zero(tmp_path):
    srv = Server("sqlite:" + str(tmp_path / "idle.db"))
    try:
        assert requests.get(srv.url + "/health", timeout=5).status_code == 200
        t0 = time.monotonic()
        assert srv.stop() == 0
        assert time.monotonic() - t0 < 10
    finally:
        if srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait()


# ---------------------------------------------------------------- SIGTERM under keep-alive load

UNDER_VALGRIND = "valgrind" in os.environ.get("APPOINTD_BIN", "")


def signup_and_login(url, prefix):
    email, password = unique_email(prefix), "password-" + prefix
    r = requests.post(url + "/api/v1/auth/signup", json={"name": prefix, "email": email, "password": password},
                      timeout=30)
    assert r.status_code == 201, r.text
    r = requests.post(url + "/api/v1/auth/login", json={"email": email, "password": password}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def keep_alive_load(url, token, stop, counts):
    """GET /api/v1/users/me (a worker route) over one kept-alive connection until stop
    is set or the server goes away."""
    with requests.Session() as s:
        while not stop.is_set():
            try:
                r = s.get(url + "/api/v1/users/me", headers={"Authorization": "Bearer " + token}, timeout=10)
                counts.append(r.status_code)
            except requests.RequestException:
                return


def probe_new_connection(port):
    """Connects after SIGTERM and asks for /health: refused, answered or closed, but never
    left hanging. Returns what happened."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
    except ConnectionRefusedError:
        return "refused"
    except ConnectionResetError:
        return "reset"
    try:
        s.settimeout(5)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        data = s.recv(4096)
        return "answered" if data else "closed"
    except (ConnectionResetError, BrokenPipeError):
        return "reset"
    except socket.timeout:
        return "hung"
    finally:
        s.close()


def test_sigterm_under_keep_alive_load_exits_zero_every_time(tmp_path):
    rounds = 2 if UNDER_VALGRIND else 10
    for i in range(rounds):
        srv = Server("sqlite:" + str(tmp_path / f"load{i}.db"))
        try:
            token = signup_and_login(srv.url, f"load{i}")
            stop, counts = threading.Event(), []
            threads = [threading.Thread(target=keep_alive_load, args=(srv.url, token, stop, counts))
                       for _ in range(6)]
            for t in threads:
                t.start()
            deadline = time.monotonic() + 10
            while len(counts) < 50 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert len(counts) >= 50, "the load never got going"
            srv.proc.send_signal(signal.SIGTERM)
            probes = []
            t0 = time.monotonic()
            while srv.proc.poll() is None and time.monotonic() - t0 < 15:
                probes.append(probe_new_connection(srv.port))
                time.sleep(0.02)
            stop.set()
            code = srv.proc.wait(timeout=15)
            for t in threads:
                t.join(15)
            log = open(srv.log.name, errors="replace").read()
            assert "Fatal error" not in log, log[-2000:]
            assert code == 0, f"round {i}: exit code {code}; log: {log[-2000:]}"
            assert "hung" not in probes, f"round {i}: a connection opened after SIGTERM hung: {probes}"
            assert set(counts) == {200}, set(counts)
        finally:
            if srv.proc.poll() is None:
                srv.proc.kill()
                srv.proc.wait()


def raw_request(sock, method, path, body=None, headers=()):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"] + [f"{k}: {v}" for k, v in headers]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))


def read_response(sock, timeout=30):
    """(status, {lower-case header: value}, body) of one Content-Length framed response."""
    sock.settimeout(timeout)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        assert chunk, f"closed before a whole response head: {buf!r}"
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
    while len(rest) < int(headers.get("content-length", 0)):
        chunk = sock.recv(65536)
        assert chunk, "closed mid-body"
        rest += chunk
    return int(lines[0].split(" ")[1]), headers, rest


def closed_by_server(sock, timeout=5):
    sock.settimeout(timeout)
    try:
        return sock.recv(4096) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def test_sigterm_answers_in_flight_with_close_and_closes_idle_connections(tmp_path):
    # A long request timeout: only the shutdown may close the idle connection.
    srv = Server("sqlite:" + str(tmp_path / "close.db"), BCRYPT_COST="13", APPOINTD_REQUEST_TIMEOUT="120")
    idle = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    busy = None
    try:
        raw_request(idle, "GET", "/health")
        status, headers, _ = read_response(idle)
        assert status == 200 and headers.get("connection", "").lower() != "close"

        body = json.dumps({"name": "Busy", "email": unique_email("busy"), "password": "password-busy"}).encode()
        t0 = time.monotonic()
        r = requests.post(srv.url + "/api/v1/auth/signup", data=body,
                          headers={"Content-Type": "application/json"}, timeout=60)
        hash_time = time.monotonic() - t0
        assert r.status_code == 201

        busy = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        raw_request(busy, "POST", "/api/v1/auth/signup",
                    json.dumps({"name": "Busy", "email": unique_email("busy"),
                                "password": "password-busy"}).encode())
        time.sleep(max(0.05, hash_time / 4))
        srv.proc.send_signal(signal.SIGTERM)
        # The idle connection gets no further request: it is closed at once.
        assert closed_by_server(idle), "an idle keep-alive connection stayed open after SIGTERM"
        # The request in flight is answered, with Connection: close, and the connection ends.
        status, headers, resp = read_response(busy)
        assert status == 201, resp
        assert headers.get("connection", "").lower() == "close", headers
        assert closed_by_server(busy)
        assert srv.proc.wait(timeout=20) == 0
    finally:
        idle.close()
        if busy:
            busy.close()
        if srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait()


@pytest.mark.slow_under_valgrind
def test_sigterm_drain_is_bounded(tmp_path):
    # Another process holds the SQLite write lock, so a signup waits on a worker for the
    # database's 10 s busy timeout: longer than the 1 s drain allowed here.
    db = tmp_path / "bound.db"
    srv = Server("sqlite:" + str(db), APPOINTD_SHUTDOWN_TIMEOUT="1")
    lock = sqlite3.connect(str(db), isolation_level=None, timeout=10)
    result = {}

    def blocked_signup():
        try:
            r = requests.post(srv.url + "/api/v1/auth/signup", timeout=60,
                              json={"name": "Slow", "email": unique_email("slow"), "password": "password-slow"})
            result["status"] = r.status_code
        except requests.RequestException as e:
            result["error"] = repr(e)

    try:
        lock.execute("BEGIN EXCLUSIVE")
        t = threading.Thread(target=blocked_signup)
        t.start()
        time.sleep(0.5)
        assert t.is_alive()
        t0 = time.monotonic()
        srv.proc.send_signal(signal.SIGTERM)
        code = srv.proc.wait(timeout=30)
        took = time.monotonic() - t0
        t.join(30)
        log = open(srv.log.name, errors="replace").read()
        assert code == 0, log[-2000:]
        assert "exiting without them" in log, log[-2000:]
        assert "error" in result, f"the signup was answered ({result}): shutdown waited for it"
        assert took < 8, f"shutdown took {took:.1f}s with APPOINTD_SHUTDOWN_TIMEOUT=1"
    finally:
        lock.close()
        if srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait()
