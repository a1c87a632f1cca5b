"""Retention (the core issue, part 5): the job deletes what is past its time —
events after EVENT_RETENTION_HOURS, idempotency keys after 24 h, failed
logins after their window, expired sessions — and nothing newer."""
import time

import requests

from booking_helpers import (API, book_ok, fresh_database, future_monday, lz, open_provider,
                             sql_rows)
from conftest import Server, new_user


def ago(database_url, seconds):
    """An SQL expression for the time `seconds` ago, as each engine stores times."""
    if database_url.startswith("sqlite:"):
        return str(int(time.time()) - seconds)
    return f"now() - interval '{seconds} seconds'"


def count(url, sql):
    return int(sql_rows(url, sql)[0][0])


def test_retention_deletes_only_what_is_past_its_time(server, tmp_path):
    url = fresh_database(server.database_url, tmp_path)
    srv = Server(url, EVENT_RETENTION_HOURS=1, RETENTION_INTERVAL_SECONDS=1, LOGIN_WINDOW_SECONDS=60)
    try:
        provider, svc = open_provider(lambda role: new_user(srv.url, role))
        customer = new_user(srv.url, "customer")
        day = future_monday()
        old = book_ok(customer, svc["id"], lz(day, "10:00"), headers={"Idempotency-Key": "old-key"})
        book_ok(customer, svc["id"], lz(day, "11:00"), headers={"Idempotency-Key": "new-key"})
        for _ in range(2):
            r = requests.post(srv.url + f"{API}/auth/login", timeout=30,
                              json={"email": customer.user["email"], "password": "wrong-password"})
            assert r.status_code == 401
        assert count(url, "SELECT count(*) FROM events") == 2
        # Age one of each past its time.
        sql_rows(url, f"UPDATE events SET created_at = {ago(url, 2 * 3600)} "
                      f"WHERE data LIKE '%\"id\":{old['id']},%'")
        sql_rows(url, f"UPDATE idempotency_keys SET created_at = {ago(url, 25 * 3600)} "
                      "WHERE key = 'old-key'")
        sql_rows(url, f"UPDATE login_failures SET at = {ago(url, 120)} WHERE rowid = "
                      "(SELECT min(rowid) FROM login_failures)" if url.startswith("sqlite:") else
                      f"UPDATE login_failures SET at = {ago(url, 120)} WHERE id = "
                      "(SELECT min(id) FROM login_failures)")
        sql_rows(url, f"UPDATE sessions SET expires_at = {ago(url, 10)} WHERE user_id = {provider.user['id']}")
        def pruned():
            return (count(url, "SELECT count(*) FROM events") == 1 and
                    count(url, "SELECT count(*) FROM idempotency_keys") == 1 and
                    count(url, "SELECT count(*) FROM login_failures") == 1 and
                    count(url, f"SELECT count(*) FROM sessions WHERE user_id = {provider.user['id']}") == 0)

        deadline = time.time() + 30
        while time.time() < deadline and not pruned():
            time.sleep(0.2)
        assert [r[0] for r in sql_rows(url, "SELECT type FROM events")] == ["booking.created"]
        assert count(url, f"SELECT count(*) FROM events WHERE data LIKE '%\"id\":{old['id']},%'") == 0
        assert [r[0] for r in sql_rows(url, "SELECT key FROM idempotency_keys")] == ["new-key"]
        assert count(url, "SELECT count(*) FROM login_failures") == 1
        assert count(url, f"SELECT count(*) FROM sessions WHERE user_id = {provider.user['id']}") == 0
        assert count(url, f"SELECT count(*) FROM sessions WHERE user_id = {customer.user['id']}") == 1
        # The customer, whose session was kept, is still signed in.
        assert customer.get(f"{API}/users/me").status_code == 200
    finally:
        assert srv.stop() == 0
