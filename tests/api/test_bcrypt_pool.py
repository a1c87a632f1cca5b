"""bcrypt routes (signup, login, token, password change) run on a pool of their own with
a bounded queue: they never take the database routes' workers, and a full queue is a 503
with Retry-After at once. Servers of their own with one thread per pool.

To hold jobs on their threads for as long as a test needs, the test takes SQLite's write
lock: a signup then waits on its worker (for the 10 s busy timeout) to write."""
import sqlite3
import threading
import time

import pytest
import requests

from conftest import Server, unique_email


@pytest.fixture
def pools(tmp_path):
    db = tmp_path / "pools.db"
    srv = Server("sqlite:" + str(db), APPOINTD_WORKERS=1, APPOINTD_BCRYPT_THREADS=1,
                 APPOINTD_BCRYPT_QUEUE=1)
    lock = sqlite3.connect(str(db), isolation_level=None, timeout=10)
    yield srv, lock
    lock.close()
    assert srv.stop() == 0


class Call(threading.Thread):
    """One request in the background; .status and .done_at once answered."""

    def __init__(self, method, url, **kw):
        super().__init__(daemon=True)
        self.method, self.url, self.kw = method, url, kw
        self.status = self.body = self.headers = self.done_at = None
        self.start()

    def run(self):
        r = requests.request(self.method, self.url, timeout=60, **self.kw)
        self.status, self.headers, self.done_at = r.status_code, r.headers, time.monotonic()
        self.body = r.json() if r.content else None


def signup(url):
    return Call("POST", url + "/api/v1/auth/signup",
                json={"name": "Pool", "email": unique_email("pool"), "password": "password-pool"})


def test_bcrypt_routes_leave_the_database_workers_free(pools):
    srv, lock = pools
    lock.execute("BEGIN EXCLUSIVE")
    try:
        held = signup(srv.url)  # on the only bcrypt thread, waiting for the lock
        time.sleep(0.3)
        assert held.is_alive()
        # The only database worker is free for readiness (a real query) meanwhile.
        for _ in range(5):
            r = requests.get(srv.url + "/health/ready", timeout=30)
            assert r.status_code == 200, r.text
        ready_at = time.monotonic()
        assert held.is_alive(), "the signup ended before the database routes were tried"
    finally:
        lock.execute("COMMIT")
    held.join(30)
    assert held.status == 201
    assert ready_at < held.done_at


def test_a_full_bcrypt_queue_is_503_with_retry_after(pools):
    srv, lock = pools
    lock.execute("BEGIN EXCLUSIVE")
    try:
        running = signup(srv.url)  # takes the bcrypt thread
        time.sleep(0.3)
        queued = signup(srv.url)   # fills the queue of one
        time.sleep(0.3)
        r = requests.post(srv.url + "/api/v1/auth/login", timeout=30,
                          json={"email": unique_email("nobody"), "password": "password-none"})
        assert running.is_alive() and queued.is_alive(), "the 503 waited for the queue"
        assert r.status_code == 503, r.text
        assert isinstance(r.json()["detail"], str) and r.json()["detail"]
        assert 1 <= int(r.headers["Retry-After"]) <= 60
        # Other routes are not limited by the bcrypt queue.
        assert requests.get(srv.url + "/health/ready", timeout=30).status_code == 200
    finally:
        lock.execute("COMMIT")
    for c in (running, queued):
        c.join(30)
        assert c.status == 201, c.body
    # With room again, bcrypt routes are served.
    r = requests.post(srv.url + "/api/v1/auth/login", timeout=30,
                      json={"email": unique_email("nobody"), "password": "password-none"})
    assert r.status_code == 401
