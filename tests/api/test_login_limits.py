"""Failed-login rate limits (API.md, Authentication): a server of its own with
small limits, so the rest of the suite is not limited."""
import time
import uuid

import pytest
import requests

from conftest import Server, unique_email

pytestmark = pytest.mark.slow_under_valgrind


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    db = "sqlite:" + str(tmp_path_factory.mktemp("limits") / "limits.db")
    srv = Server(db, LOGIN_MAX_FAILURES_EMAIL_IP=3, LOGIN_MAX_FAILURES_EMAIL=5,
                 LOGIN_MAX_FAILURES_IP=8, LOGIN_WINDOW_SECONDS=4)
    yield srv
    assert srv.stop() == 0


def signup(url, email, password):
    r = requests.post(url + "/api/v1/auth/signup",
                      json={"name": "L", "email": email, "password": password}, timeout=30)
    assert r.status_code == 201, r.text


def login(url, email, password):
    return requests.post(url + "/api/v1/auth/login", json={"email": email, "password": password},
                         timeout=30)


def test_limit_per_email_and_address_blocks_even_the_right_password(limited):
    email, password = unique_email("lim"), "right-password-1"
    signup(limited.url, email, password)
    for _ in range(3):
        assert login(limited.url, email, "wrong-password").status_code == 401
    r = login(limited.url, email, password)
    assert r.status_code == 429
    assert r.json() == {"detail": "Too many login attempts"}
    retry = int(r.headers["Retry-After"])
    assert 1 <= retry <= 4
    # The token form is limited the same way.
    r = requests.post(limited.url + "/api/v1/auth/token", data={"username": email, "password": password},
                      timeout=30)
    assert r.status_code == 429
    time.sleep(retry + 0.5)
    assert login(limited.url, email, password).status_code == 200


def test_success_does_not_count_and_unknown_emails_do(limited):
    email, password = unique_email("ok"), "right-password-2"
    signup(limited.url, email, password)
    for _ in range(5):
        assert login(limited.url, email, password).status_code == 200
    ghost = unique_email("ghost")
    for _ in range(3):
        assert login(limited.url, ghost, "whatever-pw").status_code == 401
    assert login(limited.url, ghost, "whatever-pw").status_code == 429
    time.sleep(4.5)


def test_limit_per_address_across_emails(limited):
    for i in range(8):
        assert login(limited.url, unique_email(f"a{i}"), "wrong-password").status_code == 401
    r = login(limited.url, unique_email("fresh"), "wrong-password")
    assert r.status_code == 429 and "Retry-After" in r.headers
    time.sleep(4.5)


def test_limits_hold_across_processes(limited):
    other = Server(limited.database_url, LOGIN_MAX_FAILURES_EMAIL_IP=3, LOGIN_MAX_FAILURES_EMAIL=5,
                   LOGIN_MAX_FAILURES_IP=8, LOGIN_WINDOW_SECONDS=4)
    try:
        email = unique_email("multi")
        assert login(limited.url, email, "wrong-password").status_code == 401
        assert login(other.url, email, "wrong-password").status_code == 401
        assert login(limited.url, email, "wrong-password").status_code == 401
        assert login(other.url, email, "wrong-password").status_code == 429
    finally:
        assert other.stop() == 0


def test_concurrent_wrong_logins_check_no_more_passwords_than_the_limit(server, tmp_path):
    # Each attempt is counted before its password is checked, attempts for one
    # email take turns, so 60 at once check exactly 10 passwords (both engines).
    from booking_helpers import fresh_database
    import threading

    srv = Server(fresh_database(server.database_url, tmp_path), LOGIN_MAX_FAILURES_EMAIL_IP=10,
                 LOGIN_WINDOW_SECONDS=600)
    try:
        email = unique_email("race")
        signup(srv.url, email, "right-password-3")
        barrier, statuses = threading.Barrier(60), []

        def attempt():
            barrier.wait(30)
            statuses.append(login(srv.url, email, "wrong-password").status_code)

        threads = [threading.Thread(target=attempt) for _ in range(60)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert sorted(statuses) == [401] * 10 + [429] * 50, statuses
        assert login(srv.url, email, "right-password-3").status_code == 429
    finally:
        assert srv.stop() == 0
