"""The client address (API.md "Conventions"): the TCP peer, unless that peer is in
TRUSTED_PROXIES; then the right-most X-Forwarded-For address that is not itself trusted.
Login limits count it. A client socket bound to 127.0.0.2 plays the proxy."""
import pytest

from conftest import Server, unique_email
from net_helpers import doc_addr, session_from


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    srv = Server("sqlite:" + str(tmp_path_factory.mktemp("xff") / "xff.db"),
                 TRUSTED_PROXIES="127.0.0.2, 10.0.0.0/8", LOGIN_MAX_FAILURES_IP=3,
                 LOGIN_MAX_FAILURES_EMAIL_IP=1000, LOGIN_MAX_FAILURES_EMAIL=1000,
                 LOGIN_WINDOW_SECONDS=3600, APPOINTD_LOG_LEVEL="info")
    yield srv
    assert srv.stop() == 0


def fail_login(session, url, xff=None):
    headers = {"X-Forwarded-For": xff} if xff is not None else {}
    return session.post(url + "/api/v1/auth/login", headers=headers, timeout=30,
                        json={"email": unique_email("xff"), "password": "wrong-password"}).status_code


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(proxied):
    proxy = session_from("127.0.0.2")
    client, other = doc_addr(), doc_addr()
    for _ in range(3):
        assert fail_login(proxy, proxied.url, client) == 401
    assert fail_login(proxy, proxied.url, client) == 429
    # Another client behind the same proxy is not limited by the first one's failures.
    assert fail_login(proxy, proxied.url, other) == 401
    # And the log line of a request names the client, not the proxy.
    log = open(proxied.log.name, errors="replace").read()
    assert client in log


def test_the_right_most_untrusted_address_counts_not_what_the_client_wrote(proxied):
    proxy = session_from("127.0.0.2")
    client = doc_addr()
    # The client writes anything it likes first; the proxies (127.0.0.2 and one of
    # 10.0.0.0/8) append what they saw.
    for i in range(3):
        assert fail_login(proxy, proxied.url, f"{doc_addr()}, {client}, 10.1.2.{i}") == 401
    assert fail_login(proxy, proxied.url, f"{doc_addr()}, {client}") == 429
    assert fail_login(proxy, proxied.url, f"{client}:5555, 10.9.9.9") == 429


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(proxied):
    direct = session_from("127.0.0.3")
    for _ in range(3):
        assert fail_login(direct, proxied.url, doc_addr()) == 401
    # Every failure counted against 127.0.0.3, whatever the header claimed.
    assert fail_login(direct, proxied.url, doc_addr()) == 429
    assert fail_login(direct, proxied.url) == 429


def test_a_trusted_proxy_without_the_header_is_the_client(tmp_path):
    srv = Server("sqlite:" + str(tmp_path / "bare.db"), TRUSTED_PROXIES="127.0.0.4",
                 LOGIN_MAX_FAILURES_IP=2, LOGIN_MAX_FAILURES_EMAIL_IP=1000, LOGIN_MAX_FAILURES_EMAIL=1000)
    try:
        proxy = session_from("127.0.0.4")
        assert fail_login(proxy, srv.url) == 401
        assert fail_login(proxy, srv.url, "") == 401
        assert fail_login(proxy, srv.url) == 429
        # Behind it, a named client is someone else.
        assert fail_login(proxy, srv.url, doc_addr()) == 401
    finally:
        assert srv.stop() == 0


@pytest.mark.parametrize("spec", ["10.0.0.0/33", "proxy.example.com", "10.0.0.1,,10.0.0.2", "::1/200"])
def test_a_bad_trusted_proxies_entry_stops_the_start(tmp_path, spec):
    with pytest.raises(RuntimeError) as info:
        Server("sqlite:" + str(tmp_path / "bad.db"), TRUSTED_PROXIES=spec)
    message = str(info.value)
    assert "exited with 2" in message, message
    log = open(message.rsplit("log: ", 1)[1], errors="replace").read()
    assert "TRUSTED_PROXIES" in log and "is not an IPv4 or IPv6 address or CIDR block" in log, log
