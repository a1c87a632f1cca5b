"""booking.reminder (API.md, "Webhooks"): reminder_minutes before each
confirmed booking's start, once per webhook and start; a rescheduled
booking gets one for its new start, a cancelled one none, and a booking
made later than that moment none. The server runs with
WEBHOOK_MINUTE_SECONDS=1, so reminder_minutes counts seconds here."""
import datetime as dt
import json
import time

import pytest

from booking_helpers import API, book_ok, iso_z
from conftest import new_user
from webhook_helpers import (admin_of, create_hook, deliveries, next_slot, open_provider, receiver,
                             signatures_ok, wh_database, wh_server)

# Timing-bound (reminder moments of seconds): not under valgrind.
pytestmark = pytest.mark.slow_under_valgrind

LEAD = 8  # seconds from now to each reminder's moment


def reminders(rcv, path):
    return [json.loads(g[2]) for g in rcv.on(path) if json.loads(g[2])["type"] == "booking.reminder"]


def lead_for(start, moment):
    """reminder_minutes (seconds here) that put start's reminder at moment."""
    return int(start.timestamp() - moment)


def test_reminders(wh_server, receiver):
    srv = wh_server
    customer = new_user(srv.url)
    scenes = {}
    for name in ("plain", "rescheduled", "cancelled", "late"):
        pc, svc = open_provider(srv)
        hook = create_hook(pc, receiver.url("/" + name), events=["booking.reminder"])
        scenes[name] = [pc, svc, next_slot(15), hook]
    # Every reminder's moment LEAD seconds from now (the webhooks are older).
    moment = int(time.time()) + LEAD
    for name, (pc, svc, start, hook) in scenes.items():
        r = pc.patch(f"{API}/webhooks/{hook['id']}", json={"reminder_minutes": lead_for(start, moment)})
        assert r.status_code == 200, r.text
        scenes[name][3] = hook = {**r.json(), "secret": hook["secret"]}
    # plain: booked before its moment.
    pc, svc, start, hook = scenes["plain"]
    plain = book_ok(customer, svc["id"], iso_z(start))
    # rescheduled: booked 10 minutes later, moved to `start` before either moment.
    pc, svc, start, hook = scenes["rescheduled"]
    moved = book_ok(customer, svc["id"], iso_z(start + dt.timedelta(minutes=10)))
    r = customer.post(f"{API}/bookings/{moved['id']}/reschedule", json={"start": iso_z(start)})
    assert r.status_code == 200, r.text
    # cancelled: booked, then cancelled before its moment.
    pc, svc, start, hook = scenes["cancelled"]
    gone = book_ok(customer, svc["id"], iso_z(start))
    assert customer.post(f"{API}/bookings/{gone['id']}/cancel", json={}).status_code == 200
    assert time.time() < moment, "the set-up took longer than the moments chosen"
    # late: booked after its moment.
    pc, svc, start, hook = scenes["late"]
    while time.time() < moment + 1.1:
        time.sleep(0.1)
    late = book_ok(customer, svc["id"], iso_z(start))

    got = receiver.wait("/plain", 1, timeout=30)
    assert got[0][3] >= moment - 0.5, "the reminder came before its moment"
    got = receiver.wait("/rescheduled", 1, timeout=30)
    time.sleep(2.5)  # room for a duplicate or a late one to show up
    for name, booking in (("plain", plain), ("rescheduled", moved)):
        rem = reminders(receiver, "/" + name)
        assert len(rem) == 1, (name, rem)
        assert rem[0]["data"]["id"] == booking["id"] and rem[0]["data"]["status"] == "confirmed"
        assert rem[0]["data"]["start"] == iso_z(scenes[name][2])
        hook = scenes[name][3]
        _, headers, body, _ = receiver.on("/" + name)[0]
        assert signatures_ok(hook["secret"], headers, body)
        assert str(rem[0]["id"]) == headers["webhook-id"]
        page = deliveries(scenes[name][0], hook["id"])
        assert [(d["type"], d["status"]) for d in page] == [("booking.reminder", "delivered")]
        assert page[0]["event_id"] == rem[0]["id"]
    assert reminders(receiver, "/cancelled") == [] and receiver.on("/cancelled") == []
    assert receiver.on("/late") == [] and late["id"]
    assert deliveries(scenes["late"][0], scenes["late"][3]["id"]) == []


def test_reminders_go_only_to_webhooks_that_ask_for_them(wh_server, receiver):
    srv = wh_server
    pc, svc = open_provider(srv)
    start = next_slot(15)
    moment = int(time.time()) + LEAD
    create_hook(pc, receiver.url("/no-reminders"), events=["booking.created"],
                reminder_minutes=lead_for(start, moment))
    book_ok(new_user(srv.url), svc["id"], iso_z(start))
    assert time.time() < moment
    receiver.wait("/no-reminders", 1)
    while time.time() < moment + 2.5:
        time.sleep(0.1)
    assert [json.loads(g[2])["type"] for g in receiver.on("/no-reminders")] == ["booking.created"]


def test_a_provider_is_reminded_of_its_own_bookings_and_an_admin_of_all(wh_server, receiver):
    """A provider's webhook reads its own bookings by their buffered start:
    one with the longest buffer before (240 minutes) is found all the same."""
    srv = wh_server
    buffered, svc_a = open_provider(srv, buffer_before_minutes=240)
    plain, svc_b = open_provider(srv)
    start = next_slot(15)
    moment = int(time.time()) + LEAD
    lead = lead_for(start, moment)
    for pc, path in ((buffered, "/own-a"), (plain, "/own-b"), (admin_of(srv), "/all")):
        create_hook(pc, receiver.url(path), events=["booking.reminder"], reminder_minutes=lead)
    a = book_ok(new_user(srv.url), svc_a["id"], iso_z(start))
    b = book_ok(new_user(srv.url), svc_b["id"], iso_z(start))
    assert time.time() < moment, "the set-up took longer than the moment chosen"
    receiver.wait("/own-a", 1, timeout=30)
    receiver.wait("/own-b", 1, timeout=30)
    time.sleep(2.5)  # room for a duplicate or another provider's to show up
    assert [r["data"]["id"] for r in reminders(receiver, "/own-a")] == [a["id"]]
    assert [r["data"]["id"] for r in reminders(receiver, "/own-b")] == [b["id"]]
    assert {a["id"], b["id"]} <= {r["data"]["id"] for r in reminders(receiver, "/all")}
