"""Connection slots (APPOINTD_MAX_CONNECTIONS, APPOINTD_PER_IP_CONNECTIONS): a client
that has gone frees its slot at once, and a client over the limit is refused at once
rather than left waiting. Servers of their own with small limits and a long request
timeout, so that only the fix, not the timeout, can free a slot in time."""
import socket
import time

import pytest
import requests

from conftest import Server

PARTIAL = {
    "headers": b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ",
    "body": b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 200\r\n\r\n{\"email\": \"",
}


@pytest.fixture
def limited(tmp_path):
    srv = Server("sqlite:" + str(tmp_path / "conns.db"), APPOINTD_MAX_CONNECTIONS=12,
                 APPOINTD_PER_IP_CONNECTIONS=8, APPOINTD_REQUEST_TIMEOUT=120)
    yield srv
    assert srv.stop() == 0


def open_kept_alive(srv, n):
    """n connections that each had one answer and stay open, idle."""
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert b" 200 " in s.recv(4096)
        socks.append(s)
    return socks


def served_within(url, seconds):
    """True once /health answers 200 within the time (polling), False if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/health", timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.1)
    return False


def refused_at_once(url):
    """A request over the limit: the connection is closed or reset at once, not left hanging."""
    t0 = time.monotonic()
    try:
        requests.get(url + "/health", timeout=10)
        return False
    except requests.exceptions.Timeout:
        return False
    except requests.ConnectionError:
        return time.monotonic() - t0 < 5


def all_slots_within(srv, n, seconds):
    """n kept-alive connections, once they can all be opened (polling); None if never."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return open_kept_alive(srv, n)
        except (OSError, AssertionError):
            time.sleep(0.2)
    return None


@pytest.mark.parametrize("part", sorted(PARTIAL))
def test_clients_gone_mid_request_free_their_slots(limited, part):
    # Far more dead clients than the per-address limit; each sends part of a request and
    # closes at once, so its FIN arrives with its last bytes.
    for _ in range(40):
        s = socket.create_connection(("127.0.0.1", limited.port), timeout=5)
        s.sendall(PARTIAL[part])
        s.close()
    # Every one of this address's 8 slots comes free.
    socks = all_slots_within(limited, 8, 10)
    assert socks, "slots of clients that had gone were still held"
    try:
        # The limit itself still holds.
        assert refused_at_once(limited.url)
    finally:
        for s in socks:
            s.close()
    assert served_within(limited.url, 10)


def test_at_the_connection_limit_new_clients_are_refused_at_once(tmp_path):
    srv = Server("sqlite:" + str(tmp_path / "max.db"), APPOINTD_MAX_CONNECTIONS=5,
                 APPOINTD_PER_IP_CONNECTIONS=0, APPOINTD_REQUEST_TIMEOUT=120)
    try:
        socks = all_slots_within(srv, 5, 10)  # once the start-up probes' connections are gone
        assert socks
        try:
            for _ in range(3):
                assert refused_at_once(srv.url), "a client over APPOINTD_MAX_CONNECTIONS was left waiting"
            # The connections held are unharmed.
            socks[0].sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert b" 200 " in socks[0].recv(4096)
        finally:
            for s in socks:
                s.close()
        assert served_within(srv.url, 10), "slots were not freed when their clients left"
    finally:
        assert srv.stop() == 0
