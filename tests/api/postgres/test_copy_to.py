"""PostgreSQL only (tools/test.sh runs this folder in the PostgreSQL pass):
appointd copy-to moves a SQLite database into an empty PostgreSQL one, and a
server on the copy answers as the SQLite one did (docs/OPERATIONS.md,
"Moving from SQLite to PostgreSQL")."""
import datetime as dt
import time

import requests

from booking_helpers import API, all_pages, book_ok, fresh_database, future_monday, get_slots, \
    lz, make_service, set_week, sql_rows
from conftest import ADMIN_PASSWORD, Client, Server, login, new_user, unique_email

WEEK = [("monday", "09:00", "17:00"), ("tuesday", "09:00", "12:00")]


def fill(srv):
    """Users, services, availability, time off, bookings (some cancelled), a
    failed login and the audit entries of all that, on srv."""
    admin_email = unique_email("admin")
    res = srv.run("create-admin", "--email", admin_email, "--name", "Admin",
                  extra_env={"APPOINTD_ADMIN_PASSWORD": ADMIN_PASSWORD})
    assert res.returncode == 0, res.stderr
    day = future_monday()
    providers, services, customers = [], [], [new_user(srv.url) for _ in range(3)]
    for i in range(2):
        p = new_user(srv.url, "provider", name=f"Provider {i} \\ \t \"tab\"\nnewline")
        set_week(p, "Europe/Berlin", WEEK)
        services.append(make_service(p, name=f"Cut {i}", duration_minutes=30, buffer_after_minutes=15,
                                     description="línea 1\nlínea 2\\"))
        r = p.post(f"{API}/providers/{p.user['id']}/time-off",
                   json={"start": lz(day, "15:00"), "end": lz(day, "16:00"), "reason": "dentist"})
        assert r.status_code == 201, r.text
        providers.append(p)
    # A webhook (a host that does not resolve: its deliveries stay pending),
    # with a rotated secret.
    r = providers[0].post(f"{API}/webhooks", json={"url": "https://appointd-copy.invalid/hook",
                                                   "events": ["booking.created", "booking.cancelled"]})
    assert r.status_code == 201, r.text
    assert providers[0].post(f"{API}/webhooks/{r.json()['id']}/rotate-secret", json={}).status_code == 200
    booked = []
    for n, c in enumerate(customers):
        for k, svc in enumerate(services):
            booked.append((c, book_ok(c, svc["id"], lz(day, f"{9 + n}:{30 * k:02d}", "Europe/Berlin"),
                                      notes=f"note {n}/{k}")))
    # A waitlist entry, notified by the cancellations below.
    r = customers[0].post(f"{API}/waitlist", json={"service_id": services[0]["id"], "from": lz(day, "00:00"),
                                                   "to": lz(day, "24:00")})
    assert r.status_code == 201, r.text
    for c, b in booked[::3]:
        r = c.post(f"{API}/bookings/{b['id']}/cancel", json={"reason": "moved\taway"})
        assert r.status_code == 200, r.text
    r = requests.post(srv.url + "/api/v1/auth/login", json={"email": customers[0].user["email"],
                                                            "password": "wrong-password"}, timeout=30)
    assert r.status_code == 401
    return admin_email, providers, services, customers, day


def answers(url, users, services, day):
    """What the copy must answer the same: each user's bookings, each
    service's slots of the day and the next, and the whole audit log."""
    out = {}
    for u in users:
        u.base_url = url
        u.token = login(url, u.user["email"], u.password)["access_token"]
        out[("bookings", u.user["id"])] = all_pages(u, f"{API}/bookings")
        out[("webhooks", u.user["id"])] = all_pages(u, f"{API}/webhooks")
    for svc in services:
        out[("slots", svc["id"])] = get_slots(users[0], svc["id"], day, day + dt.timedelta(days=1))
    return out


def wait_sealed(srv):
    """audit-verify's answer once the sealer has chained every entry."""
    for _ in range(400):
        res = srv.run("audit-verify")
        assert res.returncode == 0, res.stdout + res.stderr
        if " 0 newer ones" in res.stdout:
            return res.stdout
        time.sleep(0.05)
    raise AssertionError("the sealer did not seal every entry: " + res.stdout)


def admin_client(url, email):
    tokens = login(url, email, ADMIN_PASSWORD)
    me = requests.get(url + f"{API}/users/me", timeout=30,
                      headers={"Authorization": "Bearer " + tokens["access_token"]}).json()
    return Client(url, me, tokens["access_token"], ADMIN_PASSWORD)


def test_copy_to_moves_everything_and_refuses_a_second_time(server, tmp_path):
    src = Server(fresh_database("sqlite:x", tmp_path))
    try:
        admin_email, providers, services, customers, day = fill(src)
        admin = admin_client(src.url, admin_email)
        users = providers + customers + [admin]
        before = answers(src.url, users, services, day)
        verified = wait_sealed(src)
        audit = all_pages(admin, f"{API}/audit")
        assert all(e["hash"] for e in audit)
    finally:
        assert src.stop() == 0
    # As retention leaves it: the oldest events pruned, and the newest too
    # (SQLite's AUTOINCREMENT still remembers its id: the copy must not reuse it).
    top_event = int(sql_rows(src.database_url, "SELECT max(id) FROM events")[0][0])
    sql_rows(src.database_url, f"DELETE FROM events WHERE id <= 2 OR id = {top_event}")
    source_counts = table_counts(src.database_url)

    target = fresh_database(server.database_url, tmp_path)
    res = src.run("copy-to", target)
    assert res.returncode == 0, res.stderr
    assert f"copied {sum(source_counts.values())} rows" in res.stdout, (res.stdout, source_counts)
    assert table_counts(target) == source_counts
    for sql in ("SELECT id, type, data FROM events ORDER BY id", "SELECT key, value FROM settings ORDER BY key",
                "SELECT id, hash FROM audit_log ORDER BY id"):
        assert sql_rows(target, sql) == sql_rows(src.database_url, sql), sql

    res = src.run("audit-verify", extra_env={"DATABASE_URL": target})
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout == verified, (res.stdout, verified)

    dst = Server(target)
    try:
        assert answers(dst.url, users, services, day) == before
        copied = [e for e in all_pages(admin, f"{API}/audit") if e["id"] <= audit[0]["id"]]
        assert copied == audit
        max_booking = max(b["id"] for c in customers for b in before[("bookings", c.user["id"])])
        fresh = book_ok(customers[0], services[1]["id"], lz(day, "14:00", "Europe/Berlin"))
        assert fresh["id"] > max_booking
        assert int(sql_rows(target, "SELECT max(id) FROM events")[0][0]) == top_event + 1
        newest = all_pages(admin, f"{API}/audit")[0]
        assert newest["id"] > audit[0]["id"]
    finally:
        assert dst.stop() == 0

    after_first = table_counts(target)
    res = src.run("copy-to", target)
    assert res.returncode == 1
    assert "the target database is not empty (rows in users" in res.stderr, res.stderr
    assert table_counts(target) == after_first


TABLES = ["users", "sessions", "settings", "availability", "time_off", "services", "bookings",
          "idempotency_keys", "login_failures", "signup_attempts", "events", "audit_log",
          "webhooks", "webhook_deliveries", "webhook_fanout", "webhook_reminders", "waitlist_entries",
          "waitlist_place"]


def table_counts(url):
    return {t: int(sql_rows(url, f"SELECT count(*) FROM {t}")[0][0]) for t in TABLES}
