"""The waitlist served by two appointd processes on one database while
bookings are cancelled through both at once: no entry served twice, no freed
slot booked twice, the oldest entry holding a slot served first."""
import datetime as dt
import json
import threading
import time

import pytest
import requests

from booking_helpers import API, all_pages, book_ok, future_monday, iso_z, local, lz, open_provider, parse_z
from conftest import Server
from sse_helpers import open_bearer
from test_booking_races import assert_no_overlap

pytestmark = pytest.mark.slow_under_valgrind  # timing-bound: two processes, one second to serve

WL = f"{API}/waitlist"


def cancel_all(calls):
    """Every (base_url, token, booking_id) cancel at once, each from its own thread."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i):
        base_url, token, bid = calls[i]
        with requests.Session() as s:
            s.headers["Authorization"] = "Bearer " + token
            s.get(base_url + "/health", timeout=30)
            barrier.wait(timeout=60)
            results[i] = s.post(base_url + f"{API}/bookings/{bid}/cancel", json={}, timeout=60).status_code

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_two_processes_serve_each_entry_once(make_user, admin, server, base_url):
    # 30-minute slots every 30 minutes, 09:00-17:00: 16 slots, all booked.
    p, s = open_provider(make_user, windows=(("monday", "09:00", "17:00"),), duration_minutes=30)
    day = future_monday()
    holder = make_user("customer")
    starts = [local(day, "09:00") + dt.timedelta(minutes=30 * i) for i in range(16)]
    bookings = [book_ok(holder, s["id"], iso_z(t)) for t in starts]
    second = Server(server.database_url)
    try:
        urls = [base_url, second.url]
        customers = [make_user("customer") for _ in range(30)]
        entries = []
        for i, c in enumerate(customers):
            # Mixed ranges (a few hours each, overlapping) and mixed auto_book.
            a = local(day, "09:00") + dt.timedelta(minutes=30 * (i % 10))
            body = {"service_id": s["id"], "from": iso_z(a), "to": iso_z(a + dt.timedelta(hours=3)),
                    "auto_book": i % 3 != 0}
            r = requests.post(urls[i % 2] + WL, json=body, headers={"Authorization": "Bearer " + c.token},
                              timeout=30)
            assert r.status_code == 201, r.text
            entries.append(r.json())
        stream = open_bearer(admin)
        try:
            results = cancel_all([(urls[i % 2], holder.token, b["id"]) for i, b in enumerate(bookings)])
            assert results == [200] * len(bookings), results
            seen = stream.events(len(bookings), timeout=10, types={"booking.cancelled"})
        finally:
            stream.close()
        # The order the cancellations reached the outbox: the order slots are served in.
        freed = [json.loads(f["data"]) for f in sorted(seen, key=lambda f: int(f["id"]))]
        # Let both processes' jobs settle.
        deadline, last = time.time() + 10, None
        while time.time() < deadline:
            now = sorted((e["id"], e["status"]) for e in all_pages(admin, WL)
                         if e["service_id"] == s["id"])
            if now == last:
                break
            last = now
            time.sleep(1.0)
        check(admin, p, s, day, entries)
        assert_served_as_the_contract_says(admin, entries, freed)
    finally:
        assert second.stop() == 0, "second appointd did not exit 0 on SIGTERM"


def check(admin, p, s, day, entries):
    ids = {e["id"] for e in entries}
    got = {e["id"]: e for e in all_pages(admin, WL) if e["id"] in ids}
    served = [e for e in got.values() if e["status"] in ("booked", "notified")]
    assert served, got
    # Each entry has at most one waitlist action in the audit log.
    for action in ("waitlist.booked", "waitlist.notified"):
        acts = all_pages(admin, f"{API}/audit", {"action": action, "target_type": "waitlist_entry"})
        per = {}
        for a in acts:
            if a["target_id"] in ids:
                per[a["target_id"]] = per.get(a["target_id"], 0) + 1
        assert all(n == 1 for n in per.values()), (action, per)
        want = {e["id"] for e in served if e["status"] == action.split(".")[1]}
        assert set(per) == want, (action, per, want)
    # A booked entry has its booking, for its customer and slot.
    confirmed = [b for b in all_pages(admin, f"{API}/bookings", {"status": "confirmed"})
                 if b["provider_id"] == p.user["id"]]
    by_id = {b["id"]: b for b in confirmed}
    booked = [e for e in served if e["status"] == "booked"]
    assert len({e["booking_id"] for e in booked}) == len(booked)
    for e in booked:
        b = by_id[e["booking_id"]]
        assert b["customer_id"] == e["customer_id"] and b["start"] == e["slot"]["start"]
    assert_no_overlap(confirmed, {s["id"]: s})
    # Each freed slot served one entry, and the oldest entry holding it then:
    # no active entry is older than the one a slot went to while holding it.
    slots = {}
    for e in served:
        assert e["slot"]["start"] not in slots, (e, slots)
        slots[e["slot"]["start"]] = e
    for start, e in slots.items():
        st, en = parse_z(start), parse_z(e["slot"]["end"])
        for o in got.values():
            if o["id"] < e["id"] and o["status"] == "active":
                assert not (parse_z(o["from"]) <= st and en <= parse_z(o["to"])), (o, e)


def assert_served_as_the_contract_says(admin, entries, freed):
    """Replays the contract on the cancellations in outbox order: each freed
    slot goes to the oldest entry still active whose range holds it."""
    ids = {e["id"] for e in entries}
    got = {e["id"]: e for e in all_pages(admin, WL) if e["id"] in ids}
    active = sorted(entries, key=lambda e: e["id"])
    want = {}
    for b in freed:
        st, en = parse_z(b["start"]), parse_z(b["end"])
        for e in active:
            if parse_z(e["from"]) <= st and en <= parse_z(e["to"]):
                want[e["id"]] = b["start"]
                active.remove(e)
                break
    actual = {i: e["slot"]["start"] for i, e in got.items() if e["slot"]}
    assert actual == want, (actual, want)
    for i, e in got.items():
        assert e["status"] == ("active" if i not in want else "booked" if e["auto_book"] else "notified"), e
