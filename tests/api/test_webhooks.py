"""Webhooks (API.md, "Webhooks"): CRUD and who may see what, validation,
the secret shown once, Standard Webhooks signatures (checked here and by
the npm standardwebhooks package), rotation, retries, the deliveries page,
the retry endpoint, 410, redirects, and the /metrics figures. Servers of
their own with WEBHOOK_ALLOW_PRIVATE=1 and a retry schedule of seconds
(webhook_helpers.FAST); the receiver listens on 127.0.0.1."""
import json
import os
import subprocess
import time
import uuid

import pytest
import requests

from booking_helpers import API, book_ok, iso_z, sql_rows
from conftest import ROOT, new_user
from webhook_helpers import (admin_of, create_hook, deliveries, next_slot, open_provider,
                             receiver, signatures_ok, wait_delivery, wh_database, wh_server)

TOOLS = os.path.join(ROOT, "build", "npm-tools", "node_modules")
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def path():
    return "/" + uuid.uuid4().hex[:10]


def test_crud_and_who_may_see_what(wh_server, receiver):
    srv = wh_server
    p, _ = open_provider(srv)
    other = new_user(srv.url, "provider")
    customer = new_user(srv.url)
    admin = admin_of(srv)
    url = receiver.url(path())
    r = p.post(f"{API}/webhooks", json={"url": url, "events": ["booking.created", "booking.reminder"]})
    assert r.status_code == 201, r.text
    hook = r.json()
    assert set(hook) == {"id", "url", "events", "active", "reminder_minutes", "created_at", "secret"}
    assert hook["url"] == url and hook["active"] is True and hook["reminder_minutes"] == 1440
    assert hook["events"] == ["booking.created", "booking.reminder"]
    assert hook["secret"].startswith("whsec_") and len(hook["secret"]) == 6 + 44
    hid = hook["id"]
    # Customers may not have webhooks.
    assert customer.post(f"{API}/webhooks", json={"url": url, "events": ["booking.created"]}).status_code == 403
    assert customer.get(f"{API}/webhooks").json()["items"] == []
    # Its owner and admins see it; another provider gets 404 for everything.
    assert p.get(f"{API}/webhooks/{hid}").status_code == 200
    assert admin.get(f"{API}/webhooks/{hid}").status_code == 200
    for method, sub, body in (("GET", "", None), ("PATCH", "", {"active": False}), ("DELETE", "", None),
                              ("POST", "/rotate-secret", {}), ("GET", "/deliveries", None),
                              ("POST", "/deliveries/1/retry", None)):
        r = other.request(method, f"{API}/webhooks/{hid}{sub}", json=body)
        assert r.status_code == 404, (method, sub, r.text)
        assert r.json() == {"detail": "Webhook not found"}
    assert customer.get(f"{API}/webhooks/{hid}").status_code == 404
    assert [h["id"] for h in other.get(f"{API}/webhooks").json()["items"]] == []
    own = p.get(f"{API}/webhooks").json()
    assert [h["id"] for h in own["items"]] == [hid] and own["total"] == 1 and own["limit"] == 50
    assert hid in [h["id"] for h in admin.get(f"{API}/webhooks", params={"limit": 100}).json()["items"]]
    # PATCH each field; the answer and a GET agree.
    r = p.patch(f"{API}/webhooks/{hid}", json={"url": url + "x", "events": ["booking.cancelled"],
                                                "active": False, "reminder_minutes": 30})
    assert r.status_code == 200, r.text
    changed = r.json()
    assert (changed["url"], changed["events"], changed["active"], changed["reminder_minutes"]) == \
           (url + "x", ["booking.cancelled"], False, 30)
    assert p.get(f"{API}/webhooks/{hid}").json() == changed
    assert p.get(f"{API}/webhooks/99999999").status_code == 404
    # An admin may change and delete anyone's.
    assert admin.patch(f"{API}/webhooks/{hid}", json={"active": True}).json()["active"] is True
    admin_hook = create_hook(admin, url)
    assert admin.delete(f"{API}/webhooks/{admin_hook['id']}").status_code == 204
    assert p.delete(f"{API}/webhooks/{hid}").status_code == 204
    assert p.get(f"{API}/webhooks/{hid}").status_code == 404
    assert p.delete(f"{API}/webhooks/{hid}").status_code == 404


def test_validation(wh_server, receiver):
    p, _ = open_provider(wh_server)
    url = receiver.url("/v")
    cases = [
        ({"events": ["booking.created"]}, "url"),
        ({"url": "ftp://example.com/x", "events": ["booking.created"]}, "url"),
        ({"url": "not a url", "events": ["booking.created"]}, "url"),
        ({"url": "javascript:alert(1)", "events": ["booking.created"]}, "url"),
        ({"url": url}, "events"),
        ({"url": url, "events": []}, "events"),
        ({"url": url, "events": "booking.created"}, "events"),
        ({"url": url, "events": ["booking.deleted"]}, "events"),
        ({"url": url, "events": [1]}, "events"),
        ({"url": url, "events": ["booking.created"], "reminder_minutes": 0}, "reminder_minutes"),
        ({"url": url, "events": ["booking.created"], "reminder_minutes": 10081}, "reminder_minutes"),
        ({"url": url, "events": ["booking.created"], "reminder_minutes": "5"}, "reminder_minutes"),
        ({"url": url, "events": ["booking.created"], "secret": "nope"}, "secret"),
        ({"url": url, "events": ["booking.created"], "secret": "whsec_" + "A" * 28}, "secret"),  # 21 bytes
        ({"url": url, "events": ["booking.created"], "secret": "whsec_" + "A" * 88 + "AAAA"}, "secret"),  # 69 bytes
        ({"url": url, "events": ["booking.created"], "secret": "whsec_not*base64*at*all*here*xx"}, "secret"),
    ]
    for body, field in cases:
        r = p.post(f"{API}/webhooks", json=body)
        assert r.status_code == 422, (body, r.text)
        assert ["body", field] in [e["loc"] for e in r.json()["detail"]], (body, r.text)
    assert p.post(f"{API}/webhooks", data="[]", headers={"Content-Type": "application/json"}).status_code == 422
    # Bounds that are allowed.
    for minutes in (1, 10080):
        assert create_hook(p, url, reminder_minutes=minutes)["reminder_minutes"] == minutes
    hook = create_hook(p, url, events=["booking.created", "booking.cancelled", "booking.rescheduled",
                                       "booking.completed", "waitlist.slot_available", "waitlist.booked",
                                       "booking.reminder"])
    assert len(hook["events"]) == 7
    for body, field in (({"url": "gopher://x"}, "url"), ({"events": []}, "events"),
                        ({"active": "yes"}, "active"), ({"reminder_minutes": -1}, "reminder_minutes")):
        r = p.patch(f"{API}/webhooks/{hook['id']}", json=body)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", field], r.text
    r = p.post(f"{API}/webhooks/{hook['id']}/rotate-secret", json={"secret": "whsec_short"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "secret"]
    assert p.get(f"{API}/webhooks/abc").status_code == 422


def test_secret_is_shown_once(wh_server, receiver):
    srv = wh_server
    p, _ = open_provider(srv)
    admin = admin_of(srv)
    hook = create_hook(p, receiver.url("/s"), secret=SECRET)
    assert hook["secret"] == SECRET
    hid = hook["id"]
    rotated = p.post(f"{API}/webhooks/{hid}/rotate-secret", json={})
    assert rotated.status_code == 200 and set(rotated.json()) == {"secret"}
    new_secret = rotated.json()["secret"]
    assert new_secret.startswith("whsec_") and new_secret != SECRET
    texts = [p.get(f"{API}/webhooks/{hid}").text, p.get(f"{API}/webhooks").text,
             p.patch(f"{API}/webhooks/{hid}", json={"reminder_minutes": 60}).text,
             p.get(f"{API}/webhooks/{hid}/deliveries").text,
             admin.get(f"{API}/audit", params={"target_type": "webhook", "target_id": hid}).text,
             open(srv.log.name).read()]
    for text in texts:
        assert SECRET[6:] not in text and new_secret[6:] not in text and "whsec_" not in text
    entries = admin.get(f"{API}/audit", params={"target_type": "webhook", "target_id": hid}).json()["items"]
    assert [e["action"] for e in entries] == ["webhook.updated", "webhook.secret_rotated", "webhook.created"]
    assert all(e["actor_id"] == p.user["id"] for e in entries)
    assert entries[0]["details"]["reminder_minutes"] == {"from": 1440, "to": 60}
    assert p.delete(f"{API}/webhooks/{hid}").status_code == 204
    assert admin.get(f"{API}/audit", params={"action": "webhook.deleted", "target_type": "webhook",
                                             "target_id": hid}).json()["total"] == 1


def test_deliveries_are_signed_and_go_to_whom_they_concern(wh_server, receiver):
    srv = wh_server
    p, svc = open_provider(srv)
    other, other_svc = open_provider(srv)
    admin = admin_of(srv)
    customer = new_user(srv.url)
    mine, others, everyone = path(), path(), path()
    hook = create_hook(p, receiver.url(mine), events=["booking.created", "booking.cancelled"])
    create_hook(other, receiver.url(others), events=["booking.created"])
    admin_hook = create_hook(admin, receiver.url(everyone), events=["booking.cancelled"], secret=SECRET)
    b = book_ok(customer, svc["id"], iso_z(next_slot(120)))
    assert customer.post(f"{API}/bookings/{b['id']}/cancel", json={}).status_code == 200
    got = receiver.wait(mine, 2)
    assert len(got) == 2
    types = []
    for _, headers, body, _ in got:
        assert signatures_ok(hook["secret"], headers, body), headers
        assert headers["content-type"] == "application/json"
        assert "appointd" in headers["user-agent"]
        payload = json.loads(body)
        assert set(payload) == {"id", "type", "created_at", "data"}
        assert str(payload["id"]) == headers["webhook-id"]
        assert payload["data"]["id"] == b["id"] and payload["created_at"].endswith("Z")
        types.append(payload["type"])
    assert sorted(types) == ["booking.cancelled", "booking.created"]
    # The admin's webhook gets every event of its types, the other provider's none of these.
    admin_got = receiver.wait(everyone, 1)
    assert json.loads(admin_got[0][2])["type"] == "booking.cancelled"
    assert signatures_ok(SECRET, admin_got[0][1], admin_got[0][2])
    assert not signatures_ok("whsec_" + "B" * 32, admin_got[0][1], admin_got[0][2])
    time.sleep(0.5)
    assert receiver.on(others) == []
    page = wait_delivery(p, hook["id"], lambda d: d["status"] == "delivered" and d["type"] == "booking.cancelled")
    assert [d["type"] for d in page] == ["booking.cancelled", "booking.created"]  # newest first
    d = page[0]
    assert set(d) == {"event_id", "type", "status", "attempts", "last_status_code", "last_error",
                      "next_attempt_at", "delivered_at"}
    assert (d["attempts"], d["last_status_code"], d["last_error"], d["next_attempt_at"]) == (1, 200, None, None)
    assert d["delivered_at"].endswith("Z")
    assert str(d["event_id"]) in [g[1]["webhook-id"] for g in got]
    # The other provider's bookings reach only the other provider.
    book_ok(customer, other_svc["id"], iso_z(next_slot(180)))
    assert len(receiver.wait(others, 1)) == 1
    time.sleep(0.5)
    assert len(receiver.on(mine)) == 2


def test_signature_verifies_with_the_npm_standardwebhooks_package(wh_server, receiver):
    assert os.path.isdir(os.path.join(TOOLS, "standardwebhooks")), "run `make npm-tools`"
    p, svc = open_provider(wh_server)
    where = path()
    hook = create_hook(p, receiver.url(where))
    book_ok(new_user(wh_server.url), svc["id"], iso_z(next_slot(240)))
    _, headers, body, _ = receiver.wait(where, 1)[0]
    script = ("const {Webhook} = require('standardwebhooks');"
              "const [secret, headers, body] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "const wh = new Webhook(secret);"
              "const payload = wh.verify(body, headers);"
              "let refused = false; try { wh.verify(body + ' ', headers); } catch (e) { refused = true; }"
              "console.log(JSON.stringify({type: payload.type, refused}));")
    wanted = {k: headers[k] for k in ("webhook-id", "webhook-timestamp", "webhook-signature")}
    out = subprocess.run(["node", "-e", script], input=json.dumps([hook["secret"], wanted, body.decode()]),
                         capture_output=True, text=True, timeout=60, env={**os.environ, "NODE_PATH": TOOLS})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"type": "booking.created", "refused": True}


def test_rotation_signs_with_both_secrets(wh_server, receiver):
    p, svc = open_provider(wh_server)
    where = path()
    hook = create_hook(p, receiver.url(where), secret=SECRET)
    new = p.post(f"{API}/webhooks/{hook['id']}/rotate-secret",
                 json={"secret": "whsec_" + "QUJD" * 8}).json()["secret"]
    assert new == "whsec_" + "QUJD" * 8
    book_ok(new_user(wh_server.url), svc["id"], iso_z(next_slot(300)))
    _, headers, body, _ = receiver.wait(where, 1)[0]
    sigs = headers["webhook-signature"].split(" ")
    assert len(sigs) == 2 and all(s.startswith("v1,") for s in sigs)
    for secret, sig in ((new, sigs[0]), (SECRET, sigs[1])):
        assert signatures_ok(secret, {**headers, "webhook-signature": sig}, body), secret


def test_retries_then_success_and_the_retry_endpoint(wh_server, receiver):
    p, svc = open_provider(wh_server)
    where = path()
    receiver.plan[where] = [500, 503]
    hook = create_hook(p, receiver.url(where))
    book_ok(new_user(wh_server.url), svc["id"], iso_z(next_slot(360)))
    got = receiver.wait(where, 3)
    # The same webhook-id on every attempt, each a second or more after the last (schedule 1,1,1).
    assert len({g[1]["webhook-id"] for g in got}) == 1
    assert all(b[3] - a[3] >= 0.9 for a, b in zip(got, got[1:]))
    assert all(signatures_ok(hook["secret"], g[1], g[2]) for g in got)
    d = wait_delivery(p, hook["id"], lambda d: d["status"] == "delivered")[0]
    assert (d["attempts"], d["last_status_code"], d["last_error"]) == (3, 200, None)
    # Retry a delivered one: 202 with the delivery, attempted again at once.
    r = p.post(f"{API}/webhooks/{hook['id']}/deliveries/{d['event_id']}/retry")
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "pending" and r.json()["event_id"] == d["event_id"]
    asked = time.time()
    fourth = receiver.wait(where, 4)[3]
    assert fourth[3] - asked < 5 and fourth[1]["webhook-id"] == got[0][1]["webhook-id"]
    assert wait_delivery(p, hook["id"], lambda x: x["attempts"] == 4 and x["status"] == "delivered")
    assert p.post(f"{API}/webhooks/{hook['id']}/deliveries/987654321/retry").status_code == 404


@pytest.mark.slow_under_valgrind  # timing-bound
def test_failing_since_starts_at_a_failure_and_clears_at_a_success(wh_server, receiver):
    # Not in the API, but what disables a webhook after 5 days of failures:
    # the deliverer writes it only when an attempt changes it (a healthy
    # webhook's successes write nothing), and it must still follow each change.
    p, svc = open_provider(wh_server)
    where = path()
    receiver.plan[where] = [500]
    hook = create_hook(p, receiver.url(where))
    since = ("SELECT CASE WHEN failing_since IS NULL THEN 'none' ELSE 'set' END "
             f"FROM webhooks WHERE id = {hook['id']}")
    customer = new_user(wh_server.url)
    book_ok(customer, svc["id"], iso_z(next_slot(360)))
    wait_delivery(p, hook["id"], lambda d: d["last_status_code"] == 500)
    assert sql_rows(wh_server.database_url, since) == [("set",)], "a failure did not start failing_since"
    wait_delivery(p, hook["id"], lambda d: d["status"] == "delivered")
    assert sql_rows(wh_server.database_url, since) == [("none",)], "a success did not clear failing_since"
    book_ok(customer, svc["id"], iso_z(next_slot(420)))
    wait_delivery(p, hook["id"], lambda d: d["status"] == "delivered" and d["attempts"] == 1)
    assert sql_rows(wh_server.database_url, since) == [("none",)]


def test_failed_after_the_schedule_and_redirects_are_not_followed(wh_server, receiver):
    p, svc = open_provider(wh_server)
    where = path()
    receiver.plan[where] = [302] * 10
    hook = create_hook(p, receiver.url(where))
    book_ok(new_user(wh_server.url), svc["id"], iso_z(next_slot(420)))
    items = wait_delivery(p, hook["id"], lambda d: d["status"] == "failed", timeout=40)
    d = items[0]
    assert (d["attempts"], d["last_status_code"], d["next_attempt_at"], d["delivered_at"]) == (4, 302, None, None)
    assert "redirect" in d["last_error"]
    assert receiver.on("/redirected") == []
    assert len(receiver.on(where)) == 4


def test_a_410_disables_the_webhook(wh_server, receiver):
    p, svc = open_provider(wh_server)
    where = path()
    receiver.plan[where] = [410]
    hook = create_hook(p, receiver.url(where))
    customer = new_user(wh_server.url)
    book_ok(customer, svc["id"], iso_z(next_slot(480)))
    d = wait_delivery(p, hook["id"], lambda d: d["status"] == "failed")[0]
    assert d["attempts"] == 1 and d["last_status_code"] == 410
    assert p.get(f"{API}/webhooks/{hook['id']}").json()["active"] is False
    # Disabled: no new deliveries.
    book_ok(customer, svc["id"], iso_z(next_slot(490)))
    time.sleep(1)
    assert len(deliveries(p, hook["id"])) == 1 and len(receiver.on(where)) == 1


def test_metrics_count_attempts_by_status_and_attempt(wh_server, receiver):
    p, svc = open_provider(wh_server)
    where = path()
    receiver.plan[where] = [500]
    hook = create_hook(p, receiver.url(where))

    def value(status, attempt):
        text = requests.get(wh_server.url + "/metrics", timeout=10).text
        line = f'appointd_webhook_deliveries_total{{status="{status}",attempt="{attempt}"}} '
        return int(next(l for l in text.splitlines() if l.startswith(line)).split()[-1])

    before = (value("retry", 1), value("delivered", 2))
    book_ok(new_user(wh_server.url), svc["id"], iso_z(next_slot(540)))
    wait_delivery(p, hook["id"], lambda d: d["status"] == "delivered")
    deadline = time.time() + 5
    while (value("retry", 1), value("delivered", 2)) == before and time.time() < deadline:
        time.sleep(0.1)
    assert value("retry", 1) == before[0] + 1 and value("delivered", 2) == before[1] + 1
    assert value("failed", 8) >= 0


def test_deleted_and_inactive_webhooks_get_no_attempts(wh_server, receiver):
    p, svc = open_provider(wh_server)
    customer = new_user(wh_server.url)
    gone, paused = path(), path()
    receiver.plan[gone] = [500] * 10
    receiver.plan[paused] = [500]
    doomed = create_hook(p, receiver.url(gone))
    held = create_hook(p, receiver.url(paused))
    book_ok(customer, svc["id"], iso_z(next_slot(620)))
    receiver.wait(gone, 1)
    receiver.wait(paused, 1)
    assert p.delete(f"{API}/webhooks/{doomed['id']}").status_code == 204
    assert p.patch(f"{API}/webhooks/{held['id']}", json={"active": False}).status_code == 200
    time.sleep(3)  # three retry intervals of the test schedule
    assert len(receiver.on(gone)) == 1 and len(receiver.on(paused)) == 1
    assert [d["status"] for d in deliveries(p, held["id"])] == ["pending"]
    # Made active again, the pending delivery goes out.
    assert p.patch(f"{API}/webhooks/{held['id']}", json={"active": True}).status_code == 200
    assert len(receiver.wait(paused, 2)) == 2
    assert wait_delivery(p, held["id"], lambda d: d["status"] == "delivered")[0]["attempts"] == 2
