"""The event outbox (issue: a core that loses nothing): every booking change
writes its event in its own transaction, and readers get events strictly in
id order, none skipped and none twice, however many processes write at once
— including a transaction that commits a lower id after a higher one."""
import json
import subprocess
import threading
import time


from booking_helpers import (API, book_ok, fresh_database, future_monday, lz, make_service,
                             set_week, sql_rows)
from conftest import BIN, Server, new_user


def events_of(srv, after=0):
    """What a reader gets: (id, type, provider, customer) after id `after`."""
    res = srv.run("events", "--after", str(after))
    assert res.returncode == 0, res.stderr
    return [tuple(line.split()) for line in res.stdout.splitlines()]


def open_all_week(srv):
    """A provider open around the clock every day with a 5-minute service."""
    pc = new_user(srv.url, "provider")
    p = pc.user
    set_week(pc, "UTC", [(d, "00:00", "24:00") for d in
                         ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")])
    return p, pc, make_service(pc, duration_minutes=5, slot_interval_minutes=5)


def test_each_booking_change_writes_its_event(server, backend, make_user):
    srv = server
    p, pc, svc = open_all_week(srv)
    c = make_user("customer")
    day = future_monday()
    before = int(sql_rows(srv.database_url, "SELECT coalesce(max(id), 0) FROM events")[0][0])
    b = book_ok(c, svc["id"], lz(day, "10:00"))
    assert c.post(f"{API}/bookings/{b['id']}/reschedule", json={"start": lz(day, "11:00")}).status_code == 200
    assert c.post(f"{API}/bookings/{b['id']}/cancel", json={}).status_code == 200
    # A refused booking writes nothing.
    b2 = book_ok(c, svc["id"], lz(day, "12:00"))
    assert c.post(f"{API}/bookings", json={"service_id": svc["id"], "start": lz(day, "12:00")}).status_code == 409
    mine = [e for e in events_of(srv, before) if e[2] == str(p["id"])]
    assert [e[1] for e in mine] == ["booking.created", "booking.rescheduled", "booking.cancelled",
                                    "booking.created"]
    assert all(e[3] == str(c.user["id"]) for e in mine)
    # The data is the Booking as the API shows it, as of that change.
    rows = sql_rows(srv.database_url, f"SELECT type, data FROM events WHERE id > {before} "
                                      f"AND provider_id = {p['id']} ORDER BY id")
    datas = [json.loads(r[1]) for r in rows]
    assert datas[0]["start"] == lz(day, "10:00") and datas[0]["status"] == "confirmed"
    assert datas[1]["start"] == lz(day, "11:00")
    assert datas[2]["status"] == "cancelled" and datas[2]["cancelled_at"]
    assert datas[3]["id"] == b2["id"]
    assert set(datas[0]) == set(b2)


def hold_event(backend, url, seconds, commit):
    """A transaction that takes an event id, holds it open while others
    commit later ids, then commits or rolls back. Returns its thread."""
    end = "COMMIT" if commit else "ROLLBACK"
    if backend == "sqlite":
        import sqlite3

        def run():
            con = sqlite3.connect(url[len("sqlite:"):], timeout=30, isolation_level=None)
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO events (type, data, created_at) VALUES ('test.held', '{}', 0)")
            time.sleep(seconds)
            con.execute(end)
            con.close()
    else:
        def run():
            sql = ("BEGIN; INSERT INTO events (type, data, created_at) VALUES ('test.held', '{}', now()); "
                   f"SELECT pg_sleep({seconds}); {end};")
            subprocess.run(["/usr/bin/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                           check=True, capture_output=True, timeout=60)
    t = threading.Thread(target=run)
    t.start()
    return t


def test_readers_never_skip_an_event_committed_out_of_order(server, backend, tmp_path):
    url = fresh_database(server.database_url, tmp_path)
    a, b = Server(url), Server(url)
    try:
        p, pc, svc = open_all_week(a)
        customers = [new_user(srv.url, "customer") for srv in (a, b) for _ in range(4)]
        reader = subprocess.Popen([BIN, "events", "--after", "0", "--follow", "600"], env=a.env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen = []
        drain = threading.Thread(target=lambda: seen.extend(int(line.split()[0]) for line in reader.stdout))
        drain.start()
        day = future_monday()
        errors = []

        def writer(i):
            client = customers[i]  # the first four on a, the others on b
            for k in range(30):
                minute = (i * 30 + k) * 5
                start = lz(day, f"{minute // 60:02d}:{minute % 60:02d}")
                r = client.post(f"{API}/bookings", json={"service_id": svc["id"], "start": start})
                if r.status_code != 201:
                    errors.append(r.text)
                elif k % 3 == 0:
                    r = client.post(f"{API}/bookings/{r.json()['id']}/cancel", json={})
                    if r.status_code != 200:
                        errors.append(r.text)
                if k == 5 and i < 2:
                    holders.append(hold_event(backend, url, 2, commit=True))
                if k == 10 and i < 2:
                    holders.append(hold_event(backend, url, 1, commit=False))

        holders = []
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads + holders:
            t.join(120)
        for t in holders:
            t.join(120)
        assert not errors, errors[:3]
        truth = [int(r[0]) for r in sql_rows(url, "SELECT id FROM events ORDER BY id")]
        deadline = time.time() + 20
        while len(seen) < len(truth) and time.time() < deadline and reader.poll() is None:
            time.sleep(0.1)
        reader.terminate()
        reader.wait(10)
        drain.join(10)
        held = [r[0] for r in sql_rows(url, "SELECT id FROM events WHERE type = 'test.held'")]
        assert len(truth) == 8 * 30 + 8 * 10 + 2, len(truth)  # bookings, cancels, held commits
        assert len(held) == 2
        assert seen == sorted(set(seen)), "out of order or twice"
        assert seen == truth, f"skipped: {sorted(set(truth) - set(seen))[:10]}"
    finally:
        assert a.stop() == 0
        assert b.stop() == 0
