"""PostgreSQL only (tools/test.sh runs this folder in the PostgreSQL pass): the
workers' connections are cut by the server, and appointd reconnects."""
import subprocess
import uuid

import requests

from conftest import Server


def psql(url, sql):
    return subprocess.run(["psql", url, "-At", "-c", sql], capture_output=True, text=True,
                          timeout=30, check=True).stdout.strip()


def terminate_appointd_backends(database_url):
    return int(psql(database_url, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                  "WHERE datname = current_database() AND pid <> pg_backend_pid()"))


def test_requests_survive_a_lost_connection(server, make_user):
    assert server.database_url.startswith("postgresql://")
    user = make_user("customer")
    # Warm every worker's connection, then cut them all.
    for _ in range(20):
        assert user.get("/api/v1/users/me").status_code == 200
    assert terminate_appointd_backends(server.database_url) >= 1
    for _ in range(20):
        r = user.get("/api/v1/users/me")
        assert r.status_code == 200, r.text
        assert r.json()["id"] == user.user["id"]
    r = requests.get(server.url + "/health/ready", timeout=10)
    assert r.status_code == 200 and r.json() == {"status": "ok", "database": "ok"}


def test_ready_is_503_while_the_database_is_gone(server):
    name = "gone_" + uuid.uuid4().hex[:12]
    base = server.database_url.rsplit("/", 1)[0]
    psql(server.database_url, f"CREATE DATABASE {name}")
    srv = Server(f"{base}/{name}")
    try:
        r = requests.get(srv.url + "/health/ready", timeout=10)
        assert r.status_code == 200
        psql(server.database_url, f"DROP DATABASE {name} WITH (FORCE)")
        r = requests.get(srv.url + "/health/ready", timeout=10)
        assert r.status_code == 503
        assert r.json()["database"] == "unavailable"
        r = requests.post(srv.url + "/api/v1/auth/login",
                          json={"email": "x@example.com", "password": "whatever-pw"}, timeout=10)
        assert r.status_code == 503
        assert "detail" in r.json() and "postgres" not in r.text.lower()
        assert requests.get(srv.url + "/health", timeout=10).status_code == 200
    finally:
        assert srv.stop() == 0
