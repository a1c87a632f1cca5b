"""PostgreSQL only: a waitlist serve that PostgreSQL picks as a deadlock's
victim is run again, and the freed slot is still booked for the entry
(src/services/waitlist.c, serve_one). A deadlock comes back as a conflict,
as a taken slot does; believing it at once left the slot unserved."""
import subprocess
import time

from booking_helpers import book_ok, fresh_database, future_monday, local, lz, open_provider, parse_z, sql_rows
from conftest import Server, new_user
from test_waitlist import entry, wait_status

LOCKS = "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = {objid} AND granted = {granted}"


def wait_rows(url, sql, what, timeout=10):
    deadline = time.monotonic() + timeout
    while not sql_rows(url, sql):
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_a_serve_chosen_as_deadlock_victim_is_run_again(server, tmp_path):
    # A server of its own: the shared one may just have had its connections
    # cut by the reconnect tests, and this test is about a deadlock only.
    url = fresh_database(server.database_url, tmp_path)
    srv = Server(url)
    try:
        serve_through_a_deadlock(url, lambda role: new_user(srv.url, role))
    finally:
        assert srv.stop() == 0


def serve_through_a_deadlock(url, make_user):
    p, s = open_provider(make_user, duration_minutes=60, slot_interval_minutes=60)
    holder, waiter = make_user("customer"), make_user("customer")
    day = future_monday()
    b = book_ok(holder, s["id"], lz(day, "10:00"))
    e = entry(waiter, s["id"], local(day, "09:00"), local(day, "12:00"), auto_book=True)
    hour = int(parse_z(b["start"]).timestamp()) // 3600
    key = (p.user["id"] << 24) | (hour & 16777215)
    objid = key & 0xffffffff
    # Another session holds the hour's booking lock, and waits long before
    # looking for deadlocks itself, so that the serve is the one refused.
    other = subprocess.Popen(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        other.stdin.write(f"SET deadlock_timeout = '30s';\nSELECT pg_advisory_lock({key});\n")
        other.stdin.flush()
        wait_rows(url, LOCKS.format(objid=objid, granted="true"), "the lock was never taken")
        r = holder.post(f"/api/v1/bookings/{b['id']}/cancel", json={})
        assert r.status_code == 200, r.text
        # The serve has moved the waitlist's place (its row is locked) and
        # waits for the hour's lock; waiting here for that row closes the cycle.
        wait_rows(url, LOCKS.format(objid=objid, granted="false"),
                  "the waitlist's booking never waited for the hour's lock")
        out, err = other.communicate("BEGIN;\nSELECT 1 FROM waitlist_place FOR UPDATE;\n"
                                     "SELECT 'through';\nCOMMIT;\n", timeout=30)
    finally:
        if other.poll() is None:
            other.kill()
            other.wait()
    assert other.returncode == 0 and "deadlock" not in err, err
    # Its row lock was granted while the serve waited for its advisory lock:
    # only the serve's transaction ending (the deadlock refusing it) lets that happen.
    assert out.split() == ["1", "through"], out
    got = wait_status(waiter, e["id"], "booked", timeout=10)
    assert got["slot"]["start"] == lz(day, "10:00")
    booking = waiter.get(f"/api/v1/bookings/{got['booking_id']}").json()
    assert booking["customer_id"] == waiter.user["id"] and booking["status"] == "confirmed"
