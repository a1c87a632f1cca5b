"""PostgreSQL only: a database that stops answering. With the cluster stopped
by SIGSTOP for 15 s, every request used to wait the 15 s out, and
/health/ready answered 200 after 14.5 s. Now readiness answers 503 within
APPOINTD_READY_TIMEOUT_MS, a database route 503 within DB_STATEMENT_TIMEOUT
(and a second), /health at once; after SIGCONT everything recovers."""
import os
import signal
import subprocess
import threading
import time
import uuid
from contextlib import contextmanager

import requests

from conftest import Server

READY_DOWN = {"status": "ok", "database": "unavailable"}
SMALL = {"DB_STATEMENT_TIMEOUT": 1000, "DB_CONNECT_TIMEOUT": 2, "APPOINTD_READY_TIMEOUT_MS": 1000,
         "APPOINTD_WORKERS": 4}


def psql(url, sql):
    return subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                          capture_output=True, text=True, timeout=60, check=True).stdout.strip()


def parent_of(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("PPid:"):
                return int(line.split()[1])
    raise AssertionError(f"no PPid for {pid}")


def children_of(parent):
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if parent_of(int(entry)) == parent:
                    kids.append(int(entry))
            except (FileNotFoundError, ProcessLookupError, AssertionError):
                pass
    return kids


def cluster_processes(url):
    """The test cluster's postmaster and its children: only this cluster's
    (other clusters of the postgres user may run on this machine)."""
    # The postmaster's pid from its own file: the parent of psql's backend
    # raced that backend's exit once psql had left.
    with open(os.path.join(psql(url, "SHOW data_directory"), "postmaster.pid")) as f:
        postmaster = int(f.readline())
    with open(f"/proc/{postmaster}/cmdline") as f:
        assert "postgres" in f.read(), "not a postmaster"
    return [postmaster] + children_of(postmaster)


@contextmanager
def cluster_stopped(url):
    pids = cluster_processes(url)
    try:
        for pid in pids:  # the postmaster first: it forks no one after that
            os.kill(pid, signal.SIGSTOP)
        yield
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass


@contextmanager
def own_server(server):
    name = "hung_" + uuid.uuid4().hex[:12]
    base = server.database_url.rsplit("/", 1)[0]
    psql(server.database_url, f"CREATE DATABASE {name}")
    srv = Server(f"{base}/{name}", **SMALL)
    try:
        yield srv
    finally:
        code = srv.stop()
        psql(server.database_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        assert code == 0


def logged_in(srv):
    email, password = f"hung-{uuid.uuid4().hex[:12]}@example.com", "password-123"
    r = requests.post(srv.url + "/api/v1/auth/signup", json={"name": "H", "email": email, "password": password},
                      timeout=10)
    assert r.status_code == 201, r.text
    r = requests.post(srv.url + "/api/v1/auth/login", json={"email": email, "password": password}, timeout=10)
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


def timed_get(url, headers=None):
    t0 = time.monotonic()
    r = requests.get(url, headers=headers or {}, timeout=12)
    return r, time.monotonic() - t0


def all_at_once(calls):
    """Runs each () -> value at once; returns the values in order."""
    out = [None] * len(calls)

    def run(i):
        try:
            out[i] = calls[i]()
        except Exception as e:  # noqa: BLE001 - reported by the caller's assert
            out[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return out


def test_stopped_database_answers_503_in_time_and_recovers(server):
    with own_server(server) as srv:
        auth = logged_in(srv)
        for _ in range(8):  # every worker and the prober hold a connection
            assert requests.get(srv.url + "/api/v1/users/me", headers=auth, timeout=10).status_code == 200
        assert requests.get(srv.url + "/health/ready", timeout=10).status_code == 200
        with cluster_stopped(srv.database_url):
            r, took = timed_get(srv.url + "/health/ready")
            assert r.status_code == 503 and r.json() == READY_DOWN, r.text
            assert took < 5, f"/health/ready took {took:.1f} s with the database stopped"
            calls = [lambda: timed_get(srv.url + "/health/ready") for _ in range(8)]
            calls += [lambda: timed_get(srv.url + "/api/v1/users/me", auth) for _ in range(6)]
            calls += [lambda: timed_get(srv.url + "/health")]
            results = all_at_once(calls)
            for i, res in enumerate(results):
                assert isinstance(res, tuple), f"call {i}: {res!r}"
            for r, took in results[:8]:
                assert r.status_code == 503 and r.json() == READY_DOWN, r.text
                assert took < 5, f"/health/ready took {took:.1f} s"
            for r, took in results[8:14]:
                assert r.status_code == 503, r.text
                assert "detail" in r.json() and "postgres" not in r.text.lower(), r.text
                assert took < 8, f"/users/me took {took:.1f} s with DB_STATEMENT_TIMEOUT=1000"
            r, took = results[14]
            assert r.status_code == 200 and took < 2, (r.status_code, took)
        deadline = time.monotonic() + 20
        while requests.get(srv.url + "/health/ready", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "readiness did not recover within 20 s of SIGCONT"
            time.sleep(0.2)
        for _ in range(12):  # every worker reconnects
            r = requests.get(srv.url + "/api/v1/users/me", headers=auth, timeout=10)
            assert r.status_code == 200, r.text


def test_statement_timeout_reaches_the_server(server):
    """A statement that waits on a lock is cancelled by the server after
    DB_STATEMENT_TIMEOUT: 503, and the same connection answers afterwards."""
    with own_server(server) as srv:
        auth = logged_in(srv)
        assert requests.get(srv.url + "/api/v1/users/me", headers=auth, timeout=10).status_code == 200
        holder = subprocess.Popen(["psql", "-X", "-q", "-d", srv.database_url, "-c",
                                   "BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(6); COMMIT;"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while psql(srv.database_url, "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                                         "WHERE c.relname = 'users' AND l.mode = 'AccessExclusiveLock' "
                                         "AND l.granted") != "1":
                assert time.monotonic() < deadline, "the lock was never taken"
                time.sleep(0.05)
            r, took = timed_get(srv.url + "/api/v1/users/me", auth)
            assert r.status_code == 503, r.text
            assert took < 4, f"answered after {took:.1f} s, the statement timeout is 1 s"
        finally:
            holder.wait(timeout=30)
        with open(srv.log.name) as f:
            assert "canceling statement due to statement timeout" in f.read()
        r = requests.get(srv.url + "/api/v1/users/me", headers=auth, timeout=10)
        assert r.status_code == 200, r.text
