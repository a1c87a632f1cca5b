"""Concurrent PATCHes of different fields of one service or one user all
survive: each edit runs on the row as it is, locked (the core issue, part 1)."""
import threading

from booking_helpers import API, make_service


def at_once(calls):
    """Runs every (client, path, body) PATCH at the same moment; returns statuses."""
    barrier = threading.Barrier(len(calls))
    out = [None] * len(calls)

    def run(i):
        client, path, body = calls[i]
        barrier.wait(30)
        out[i] = client.patch(path, json=body).status_code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


FIELDS = {
    "name": lambda i: f"Service {i}",
    "description": lambda i: f"Described {i}",
    "duration_minutes": lambda i: 30 + i,
    "buffer_before_minutes": lambda i: 10 + i,
    "buffer_after_minutes": lambda i: 20 + i,
    "slot_interval_minutes": lambda i: 40 + i,
    "min_notice_minutes": lambda i: 50 + i,
    "max_advance_days": lambda i: 60 + i,
    "cancel_notice_minutes": lambda i: 70 + i,
    "price_cents": lambda i: 1000 + i,
}


def test_twenty_concurrent_service_patches_all_survive(make_user):
    provider = make_user("provider")
    services = [make_service(provider), make_service(provider)]
    calls = [(provider, f"{API}/services/{svc['id']}", {field: value(k)})
             for k, svc in enumerate(services) for field, value in FIELDS.items()]
    assert len(calls) == 20
    assert at_once(calls) == [200] * 20
    for k, svc in enumerate(services):
        got = provider.get(f"{API}/services/{svc['id']}").json()
        for field, value in FIELDS.items():
            assert got[field] == value(k), (field, got)


def test_twenty_concurrent_user_patches_all_survive(make_user, admin):
    users = [make_user("customer") for _ in range(10)]
    calls = []
    for i, u in enumerate(users):
        calls.append((u, f"{API}/users/me", {"name": f"Renamed {i}"}))
        calls.append((admin, f"{API}/users/{u.user['id']}", {"role": "provider"}))
    assert at_once(calls) == [200] * 20
    for i, u in enumerate(users):
        got = admin.get(f"{API}/users/{u.user['id']}").json()
        assert got["name"] == f"Renamed {i}" and got["role"] == "provider", got
