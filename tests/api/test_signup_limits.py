"""Signups per client address (SIGNUP_MAX_PER_IP per SIGNUP_WINDOW_SECONDS): counted in
the database (so across processes), refused with 429 and Retry-After, without any bcrypt
work. Servers of their own with small limits."""
import os
import time

import pytest
import requests

from conftest import Server, unique_email
from net_helpers import doc_addr, session_from

LIMITS = {"SIGNUP_MAX_PER_IP": 3, "SIGNUP_WINDOW_SECONDS": 4}


def signup(url, email=None, password="password-limit", session=requests, **kw):
    body = {"name": "Limit", "email": email or unique_email("limit"), "password": password}
    return session.post(url + "/api/v1/auth/signup", json=body, timeout=60, **kw)


@pytest.fixture
def limited(tmp_path):
    srv = Server("sqlite:" + str(tmp_path / "signups.db"), **LIMITS)
    yield srv
    assert srv.stop() == 0


def test_signups_per_address_are_limited_then_allowed_again(limited):
    # An invalid body costs no hash and does not count.
    assert signup(limited.url, password="short").status_code == 422
    email = unique_email("taken")
    assert signup(limited.url, email).status_code == 201
    # A taken email costs a hash too, so it counts.
    assert signup(limited.url, email).status_code == 409
    assert signup(limited.url).status_code == 201
    r = signup(limited.url)
    assert r.status_code == 429, r.text
    assert r.json() == {"detail": "Too many signups"}
    retry = int(r.headers["Retry-After"])
    assert 1 <= retry <= LIMITS["SIGNUP_WINDOW_SECONDS"]
    time.sleep(retry + 0.5)
    assert signup(limited.url).status_code == 201


def test_signup_limit_holds_across_processes_for_the_forwarded_address(database_url):
    # Two processes on the suite's own database (PostgreSQL in its run), behind a proxy at
    # 127.0.0.2: the limit counts the client it names, in the database.
    env = dict(LIMITS, SIGNUP_WINDOW_SECONDS=3600, TRUSTED_PROXIES="127.0.0.2")
    first, second = Server(database_url, **env), Server(database_url, **env)
    proxy = session_from("127.0.0.2")
    client, other = doc_addr(), doc_addr()
    try:
        via = {"session": proxy, "headers": {"X-Forwarded-For": client}}
        assert signup(first.url, **via).status_code == 201
        assert signup(second.url, **via).status_code == 201
        assert signup(first.url, **via).status_code == 201
        assert signup(second.url, **via).status_code == 429
        assert signup(first.url, **via).status_code == 429
        # Another client behind the same proxy signs up.
        assert signup(first.url, session=proxy, headers={"X-Forwarded-For": other}).status_code == 201
    finally:
        assert first.stop() == 0
        assert second.stop() == 0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.slow_under_valgrind
def test_a_refused_signup_costs_no_bcrypt(tmp_path):
    # CPU time, not latency: at cost 14 one hash is most of a second of CPU; refused
    # signups must cost a small part of one, however loaded the machine is.
    srv = Server("sqlite:" + str(tmp_path / "cpu.db"), BCRYPT_COST=14, SIGNUP_MAX_PER_IP=1,
                 SIGNUP_WINDOW_SECONDS=3600)
    try:
        before = cpu_seconds(srv.proc.pid)
        assert signup(srv.url).status_code == 201
        one_hash = cpu_seconds(srv.proc.pid) - before
        assert one_hash > 0.1, f"a signup at cost 14 took only {one_hash:.3f} s of CPU"
        before = cpu_seconds(srv.proc.pid)
        for _ in range(5):
            assert signup(srv.url).status_code == 429
        refused = cpu_seconds(srv.proc.pid) - before
        assert refused < one_hash / 2, f"5 refused signups took {refused:.3f} s of CPU, one hash {one_hash:.3f} s"
    finally:
        assert srv.stop() == 0
