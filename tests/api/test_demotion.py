"""Changing a user's role or state keeps the rest consistent (the core issue,
attack findings "demotion"): a provider made a customer has its services
closed and is no longer staff of its bookings; no change may leave the system
without an active admin (409 last_admin)."""
from booking_helpers import API, book_ok, fresh_database, future_monday, lz, open_provider
from conftest import ADMIN_PASSWORD, Client, Server, login, unique_email


def test_a_demoted_provider_loses_its_services_and_staff_rights(make_user, admin):
    provider, svc = open_provider(make_user)
    customer = make_user("customer")
    booking = book_ok(customer, svc["id"], lz(future_monday(), "10:00"))
    r = admin.patch(f"{API}/users/{provider.user['id']}", json={"role": "customer"})
    assert r.status_code == 200 and r.json()["role"] == "customer"
    assert admin.get(f"{API}/services/{svc['id']}").json()["active"] is False
    r = customer.get(f"{API}/services/{svc['id']}/slots",
                     params={"from": future_monday().isoformat(), "to": future_monday().isoformat()})
    assert r.status_code == 404
    # Not staff any more: it may not cancel as the provider (it is no longer one).
    r = provider.post(f"{API}/bookings/{booking['id']}/cancel", json={})
    assert r.status_code in (404, 409), r.text
    assert admin.get(f"{API}/bookings/{booking['id']}").json()["status"] == "confirmed"
    # The audit entry says what changed.
    entries = admin.get(f"{API}/audit", params={"target_type": "user", "target_id": provider.user["id"],
                                                "action": "user.updated"}).json()["items"]
    assert entries[0]["details"]["role"] == {"from": "provider", "to": "customer"}


def test_the_last_active_admin_cannot_remove_itself(server, tmp_path):
    srv = Server(fresh_database(server.database_url, tmp_path))
    try:
        admins = []
        for name in ("first", "second"):
            email = unique_email(name)
            res = srv.run("create-admin", "--email", email, "--name", name,
                          extra_env={"APPOINTD_ADMIN_PASSWORD": ADMIN_PASSWORD})
            assert res.returncode == 0, res.stderr
            token = login(srv.url, email, ADMIN_PASSWORD)["access_token"]
            client = Client(srv.url, {}, token, ADMIN_PASSWORD)
            client.user = client.get(f"{API}/users/me").json()
            admins.append(client)
        first, second = admins
        # While another admin is active, an admin may step down.
        r = second.patch(f"{API}/users/{second.user['id']}", json={"role": "customer"})
        assert r.status_code == 200, r.text
        for change in ({"role": "customer"}, {"is_active": False}, {"role": "provider"}):
            r = first.patch(f"{API}/users/{first.user['id']}", json=change)
            assert r.status_code == 409, r.text
            assert r.json() == {"detail": "The last active admin cannot be removed", "code": "last_admin"}
        assert first.get(f"{API}/users/me").json()["role"] == "admin"
        assert first.patch(f"{API}/users/{first.user['id']}", json={"name": "Still"}).status_code == 200
        entries = first.get(f"{API}/audit", params={"action": "user.updated",
                                                      "target_id": first.user["id"],
                                                      "target_type": "user"}).json()["items"]
        assert [e["details"] for e in entries] == [{"name": {"from": "first", "to": "Still"}}]
    finally:
        assert srv.stop() == 0
