"""Webhook deliveries lose nothing and double nothing (API.md, "Webhooks":
at least once, nothing lost to a restart or a crash): kill -9 while
deliveries are pending, then a restart, delivers all; two appointd
processes on one database never make one attempt twice (each delivery's
attempt is claimed by one of them, docs/ARCHITECTURE-NOTES.md "Webhooks")."""
import collections
import re
import signal
import threading
import time

import pytest
import requests

from booking_helpers import API, book_ok, iso_z
from conftest import Server, new_user
from webhook_helpers import FAST, create_hook, deliveries, next_slot, open_provider, receiver, wh_database

# Timing-bound (a restart, two processes racing): not under valgrind.
pytestmark = pytest.mark.slow_under_valgrind


def delivered_ids(rcv, path):
    """webhook-ids that got a 200 (the receiver answers 200 once fail_first is used up)."""
    per_id = collections.Counter(g[1]["webhook-id"] for g in rcv.on(path))
    return {i for i, n in per_id.items() if n > rcv.fail_first.get(path, 0)}


def book_many(srv, svc, n, minutes_from=700):
    customer = new_user(srv.url)
    return [book_ok(customer, svc["id"], iso_z(next_slot(minutes_from + 5 * i))) for i in range(n)]


def test_kill_9_with_deliveries_pending_loses_none(wh_database, receiver):
    where = "/crash"
    receiver.fail_first[where] = 1
    srv = Server(wh_database, **FAST)
    try:
        p, svc = open_provider(srv)
        hook = create_hook(p, receiver.url(where), events=["booking.created", "booking.cancelled"])
        booked = book_many(srv, svc, 20)
        for b in booked[:5]:
            assert p.post(f"{API}/bookings/{b['id']}/cancel", json={}).status_code == 200
        # Some first attempts made (and failed), the retries pending: kill.
        receiver.wait(where, 3)
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait()
        assert len(delivered_ids(receiver, where)) < 25
    finally:
        if srv.proc.poll() is None:
            srv.stop()
    again = Server(wh_database, **FAST)
    try:
        deadline = time.time() + 60
        while len(delivered_ids(receiver, where)) < 25 and time.time() < deadline:
            time.sleep(0.2)
        assert len(delivered_ids(receiver, where)) == 25
        from conftest import login
        tokens = login(again.url, p.user["email"], p.password)
        p.base_url, p.token = again.url, tokens["access_token"]
        items = deliveries(p, hook["id"])
        deadline = time.time() + 10
        while any(d["status"] != "delivered" for d in items) and time.time() < deadline:
            time.sleep(0.2)
            items = deliveries(p, hook["id"])
        assert len(items) == 25 and all(d["status"] == "delivered" for d in items), items
    finally:
        assert again.stop() == 0


def metric_sum(srv, status):
    text = requests.get(srv.url + "/metrics", timeout=10).text
    pat = re.compile(r'^appointd_webhook_deliveries_total\{status="%s",attempt="\d+"\} (\d+)$' % status)
    return sum(int(m.group(1)) for m in map(pat.match, text.splitlines()) if m)


def test_two_processes_never_make_one_attempt_twice(wh_database, receiver):
    where = "/two"
    receiver.fail_first[where] = 1
    receiver.delay = 0.02
    a = Server(wh_database, **FAST)
    b = Server(wh_database, **FAST)
    try:
        p, svc = open_provider(a)
        hook = create_hook(p, receiver.url(where))
        customers = [new_user(srv.url) for srv in (a, b)]
        threads = [threading.Thread(target=lambda c=c, k=k: [
            book_ok(c, svc["id"], iso_z(next_slot(2000 + 600 * k + 5 * i))) for i in range(15)])
            for k, c in enumerate(customers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        deadline = time.time() + 60
        while len(delivered_ids(receiver, where)) < 30 and time.time() < deadline:
            time.sleep(0.2)
        time.sleep(1.5)  # a second attempt of anything would have come by now
        per_id = collections.Counter(g[1]["webhook-id"] for g in receiver.on(where))
        assert len(per_id) == 30
        assert set(per_id.values()) == {2}, per_id  # one failed attempt, one success: each once
        # The receiver answered them all; their records follow within a
        # turn, later on a loaded machine.
        deadline = time.time() + 15
        items = deliveries(p, hook["id"])
        while any(d["status"] != "delivered" for d in items) and time.time() < deadline:
            time.sleep(0.2)
            items = deliveries(p, hook["id"])
        assert all(d["status"] == "delivered" and d["attempts"] == 2 for d in items), items
        # Every attempt was made by exactly one of the two processes.
        assert metric_sum(a, "retry") + metric_sum(b, "retry") == 30
        assert metric_sum(a, "delivered") + metric_sum(b, "delivered") == 30
    finally:
        receiver.delay = 0
        assert a.stop() == 0 and b.stop() == 0
