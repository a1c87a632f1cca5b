"""No SSRF (API.md, "Webhooks"): with WEBHOOK_ALLOW_PRIVATE unset, a URL
whose host is or resolves to a loopback, private, link-local or otherwise
non-public address is a 422, in every spelling; a host that does not
resolve is accepted, and its deliveries fail and are retried. The rule
itself and the changing DNS answer are unit-tested
(tests/unit/core/test_ssrf.c, tests/unit/jobs/test_webhook_http.c)."""
import pytest

from booking_helpers import API, book_ok, iso_z
from conftest import Server, new_user
from webhook_helpers import (create_hook, next_slot, open_provider, wait_delivery, wh_database)

REFUSED = [
    "http://127.0.0.1/", "http://127.8.9.10:8080/x", "http://localhost/", "http://10.0.0.1/",
    "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0/", "http://100.64.0.1/",
    "http://224.0.0.1/", "http://240.0.0.1/", "http://255.255.255.255/", "http://[::]/",
    "http://[::1]/", "http://[::1]:9000/hook", "http://[fc00::1]/", "http://[fd00::1]/",
    "http://[fe80::1]/", "http://[ff02::1]/", "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/", "http://[::ffff:169.254.169.254]/", "http://[::127.0.0.1]/",
    "http://[64:ff9b::7f00:1]/", "http://[64:ff9b::a9fe:a9fe]/", "http://2130706433/",
    "http://0177.0.0.1/", "http://0x7f.1/", "http://0x7f000001/", "http://127.1/",
    "https://10.1.2.3/", "http://LOCALHOST:8000/",
]


@pytest.fixture(scope="module")
def strict_server(wh_database):
    srv = Server(wh_database, WEBHOOK_RETRY_SCHEDULE="1,1,1", WEBHOOK_TIMEOUT_SECONDS="3")
    yield srv
    assert srv.stop() == 0


def test_non_public_addresses_are_refused_in_every_form(strict_server):
    p, _ = open_provider(strict_server)
    for url in REFUSED:
        r = p.post(f"{API}/webhooks", json={"url": url, "events": ["booking.created"]})
        assert r.status_code == 422, (url, r.text)
        assert r.json()["detail"][0]["loc"] == ["body", "url"], (url, r.text)
    assert p.get(f"{API}/webhooks").json()["total"] == 0
    # PATCH checks the new URL the same way.
    hook = create_hook(p, "https://appointd-test-host.invalid/hook")
    for url in ("http://[::1]/", "http://169.254.169.254/", "http://0x7f.1/"):
        r = p.patch(f"{API}/webhooks/{hook['id']}", json={"url": url})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "url"], url
    assert p.get(f"{API}/webhooks/{hook['id']}").json()["url"] == "https://appointd-test-host.invalid/hook"


def test_a_host_that_does_not_resolve_is_accepted_and_retried(strict_server):
    p, svc = open_provider(strict_server)
    hook = create_hook(p, "http://appointd-not-yet.invalid:8080/hook")
    assert hook["url"] == "http://appointd-not-yet.invalid:8080/hook"
    book_ok(new_user(strict_server.url), svc["id"], iso_z(next_slot(600)))
    d = wait_delivery(p, hook["id"], lambda d: d["attempts"] >= 2)[0]
    assert d["status"] in ("pending", "failed") and d["last_status_code"] is None
    assert "does not resolve" in d["last_error"]
