"""Process lifecycle: graceful shutdown on SIGTERM."""
import threading
import time

import requests

from conftest import Server, unique_email


def test_sigterm_finishes_in_flight_request(tmp_path):
    # A high bcrypt cost makes a login slow enough to still be running when SIGTERM arrives.
    srv = Server("sqlite:" + str(tmp_path / "lifecycle.db"), BCRYPT_COST="13")
    try:
        email, password = unique_email("term"), "password-term-1"
        t0 = time.monotonic()
        r = requests.post(srv.url + "/api/v1/auth/signup",
                          json={"name": "Term", "email": email, "password": password}, timeout=60)
        hash_time = time.monotonic() - t0  # signup hashes once, login verifies once: about the same work
        assert r.status_code == 201, r.text

        result = {}

        def do_login():
            try:
                resp = requests.post(srv.url + "/api/v1/auth/login",
                                     json={"email": email, "password": password}, timeout=60)
                result["status"] = resp.status_code
                result["body"] = resp.json()
            except Exception as e:  # recorded and asserted below
                result["error"] = repr(e)
            result["done"] = time.monotonic()

        t = threading.Thread(target=do_login)
        t.start()
        time.sleep(max(0.05, hash_time / 4))
        assert t.is_alive(), "login finished before SIGTERM; the test did not test anything"
        signalled = time.monotonic()
        code = srv.stop()
        t.join(60)
        assert "error" not in result, result
        assert result["done"] > signalled
        assert result["status"] == 200, result
        assert result["body"].get("token_type") == "bearer" and result["body"].get("access_token")
        assert code == 0, f"exit code {code}"
        # After shutdown nothing listens any more.
        try:
            requests.get(srv.url + "/health", timeout=2)
            listening = True
        except requests.ConnectionError:
            listening = False
        assert not listening
    finally:
        if srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait()


def test_sigterm_when_idle_exits_zero(tmp_path):
    srv = Server("sqlite:" + str(tmp_path / "idle.db"))
    try:
        assert requests.get(srv.url + "/health", timeout=5).status_code == 200
        t0 = time.monotonic()
        assert srv.stop() == 0
        assert time.monotonic() - t0 < 10
    finally:
        if srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait()
