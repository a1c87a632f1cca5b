"""The booking half of tests/deploy/container.sh, over HTTP from the host.

  container_booking.py make BASE_URL STATE_FILE
      signs up a provider and a customer, gives the provider Monday hours and a
      service, books the first free slot as the customer; writes what `check`
      needs to STATE_FILE.
  container_booking.py check BASE_URL STATE_FILE
      logs in again as that customer (the password hash, the session and the
      booking all have to have survived) and finds the same booking, confirmed.

Exits non-zero (an AssertionError) on any difference.
"""
import datetime as dt
import json
import sys
import uuid

import requests

API = "/api/v1"


def call(method, base, path, token=None, expect=200, **kw):
    headers = {"Authorization": "Bearer " + token} if token else {}
    r = requests.request(method, base + API + path, headers=headers, timeout=30, **kw)
    assert r.status_code == expect, (method, path, r.status_code, r.text)
    return r.json()


def signup(base, role):
    email = f"{role}-{uuid.uuid4().hex[:12]}@example.com"
    password = "password-" + uuid.uuid4().hex[:8]
    user = call("POST", base, "/auth/signup", expect=201,
                json={"name": f"Container {role}", "email": email, "password": password, "role": role})
    return user, email, password, login(base, email, password)


def login(base, email, password):
    return call("POST", base, "/auth/login", json={"email": email, "password": password})["access_token"]


def make(base, state_file):
    provider, _, _, ptoken = signup(base, "provider")
    call("PUT", base, f"/providers/{provider['id']}/availability", ptoken,
         json={"timezone": "UTC", "weekly": [{"day": "monday", "start": "09:00", "end": "17:00"}]})
    service = call("POST", base, "/services", ptoken, expect=201,
                   json={"name": "Container check", "duration_minutes": 60})
    day = dt.date.today() + dt.timedelta(days=14)
    day += dt.timedelta(days=(7 - day.weekday()) % 7)  # the next Monday from there
    slots = call("GET", base, f"/services/{service['id']}/slots", ptoken,
                 params={"from": str(day), "to": str(day)})["slots"]
    assert slots, "a provider open 09:00-17:00 on a Monday has no free slot"
    _, email, password, ctoken = signup(base, "customer")
    booking = call("POST", base, "/bookings", ctoken, expect=201,
                   json={"service_id": service["id"], "start": slots[0]["start"]})
    assert booking["status"] == "confirmed", booking
    with open(state_file, "w") as f:
        json.dump({"email": email, "password": password, "booking": booking}, f)


def check(base, state_file):
    with open(state_file) as f:
        state = json.load(f)
    token = login(base, state["email"], state["password"])
    want = state["booking"]
    got = call("GET", base, f"/bookings/{want['id']}", token)
    for k in ("id", "service_id", "start", "end", "status"):
        assert got[k] == want[k], (k, got[k], want[k])
    listed = call("GET", base, "/bookings", token)["items"]
    assert [b["id"] for b in listed] == [want["id"]], listed


if __name__ == "__main__":
    {"make": make, "check": check}[sys.argv[1]](sys.argv[2], sys.argv[3])
