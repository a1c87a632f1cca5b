"""Nothing acknowledged is lost, and Idempotency-Key survives a crash: under
keyed booking load the server is killed with SIGKILL, restarted on the same
database, and every request is sent again with its key. Each key then gives
its first 201 (or makes its booking now), never a 409 for a booking that key
made, never two bookings (API.md, Bookings; the core issue, part 2)."""
import datetime as dt
import signal
import threading
import time
import uuid

import requests

from booking_helpers import API, fresh_database, future_monday, iso_z, make_service, set_week
from conftest import Client, Server, login, new_user, unique_email

LEASE = 2
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def send(url, token, key, body):
    r = requests.post(url + f"{API}/bookings", json=body, timeout=30,
                      headers={"Authorization": "Bearer " + token, "Idempotency-Key": key})
    return r.status_code, r.json()


def keyed_load(srv, customers, plan, acked, kill_at):
    """Sends plan's (key, body, customer index) from one thread per customer
    and kills the server with SIGKILL once kill_at of them were acknowledged
    (201): the crash lands in the middle of the load. Records every 201."""
    def run(ci):
        for key, body, owner in plan:
            if owner != ci:
                continue
            try:
                status, data = send(srv.url, customers[ci].token, key, body)
            except requests.RequestException:
                return
            if status == 201:
                acked[key] = data
    start = len(acked)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(customers))]
    for t in threads:
        t.start()
    while len(acked) - start < kill_at and any(t.is_alive() for t in threads):
        time.sleep(0.002)
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait(10)
    for t in threads:
        t.join(60)


def bookings_of(admin_client, provider_id):
    items, offset = [], 0
    while True:
        r = admin_client.get(f"{API}/bookings", params={"limit": 100, "offset": offset})
        assert r.status_code == 200, r.text
        page = r.json()
        items += [b for b in page["items"] if b["provider_id"] == provider_id]
        offset += len(page["items"])
        if offset >= page["total"] or not page["items"]:
            return items


def test_keyed_bookings_survive_kill_9(server, tmp_path):
    url = fresh_database(server.database_url, tmp_path)
    env = {"IDEMPOTENCY_LEASE_SECONDS": str(LEASE)}
    srv = Server(url, **env)
    provider = new_user(srv.url, "provider")
    set_week(provider, "UTC", [(d, "00:00", "24:00") for d in DAYS])
    svc = make_service(provider, duration_minutes=5, slot_interval_minutes=5)
    customers = [new_user(srv.url, "customer") for _ in range(6)]
    day = future_monday()
    plan = []
    for i in range(400):
        start = dt.datetime.combine(day, dt.time(0, 0), dt.timezone.utc) + dt.timedelta(minutes=5 * i)
        body = {"service_id": svc["id"], "start": iso_z(start)}
        plan.append(("crash-" + uuid.uuid4().hex, body, i % len(customers)))
    counts = {"acked_before": 0, "replayed": 0, "made_after": 0}
    acked = {}
    try:
        for part, kill_at in ((plan[:200], 60), (plan[200:], 130)):
            keyed_load(srv, customers, part, acked, kill_at)
            srv = Server(url, **env)  # the same database, tokens and sessions
            time.sleep(LEASE + 0.5)  # claims of the dead process have lapsed
        counts["acked_before"] = len(acked)
        assert 0 < len(acked) < len(plan), "the kills did not land under load"
        for key, body, owner in plan:
            status, data = send(srv.url, customers[owner].token, key, body)
            assert status == 201, (key, status, data)
            if key in acked:
                assert data == acked[key], "the replay is not the first response"
                counts["replayed"] += 1
            else:
                counts["made_after"] += 1
            # Once more: the key now only replays.
            assert send(srv.url, customers[owner].token, key, body) == (201, data)
        admin_email = unique_email("admin")
        res = srv.run("create-admin", "--email", admin_email, "--name", "Admin",
                      extra_env={"APPOINTD_ADMIN_PASSWORD": "admin-password-123"})
        assert res.returncode == 0, res.stderr
        admin = Client(srv.url, {}, login(srv.url, admin_email, "admin-password-123")["access_token"], "")
        made = bookings_of(admin, provider.user["id"])
        assert len(made) == len(plan), "a key made no booking, or two"
        assert sorted(b["start"] for b in made) == sorted(b["start"] for _, b, _ in plan)
        print("crash test:", counts)
    finally:
        assert srv.stop() == 0
