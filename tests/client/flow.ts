// A whole booking flow through a client generated from /openapi.json
// (openapi-typescript types, openapi-fetch calls), as a client developer
// would write it. tsc --strict type-checks every call and every field read
// against the document; at run time each step checks what came back.
// BASE_URL: the server. Exits non-zero on the first failure.
import createClient from "openapi-fetch";
import type { paths, components } from "./schema";

type Booking = components["schemas"]["Booking"];

const baseUrl = process.env.BASE_URL ?? "http://127.0.0.1:8000";
const tag = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);

function check(ok: boolean, what: string, got?: unknown): asserts ok {
  if (!ok) throw new Error(`${what}: ${JSON.stringify(got)}`);
}

async function signedIn(role: "customer" | "provider") {
  const anon = createClient<paths>({ baseUrl });
  const email = `ts-${role}-${tag}@example.com`;
  const password = "password-" + tag;
  const up = await anon.POST("/api/v1/auth/signup", {
    body: { name: `TS ${role}`, email, password, role },
  });
  check(up.response.status === 201 && up.data?.email === email, "signup", up.error);
  const login = await anon.POST("/api/v1/auth/login", { body: { email, password } });
  check(login.data?.token_type === "bearer", "login", login.error);
  const client = createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${login.data.access_token}` },
  });
  return { client, user: up.data };
}

function nextMonday(): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + 14 + ((8 - d.getUTCDay()) % 7));
  return d.toISOString().slice(0, 10);
}

async function main() {
  const provider = await signedIn("provider");
  const customer = await signedIn("customer");

  const week = await provider.client.PUT("/api/v1/providers/{id}/availability", {
    params: { path: { id: provider.user.id } },
    body: { timezone: "UTC", weekly: [{ day: "monday", start: "09:00", end: "12:00" }] },
  });
  check(week.data?.weekly.length === 1, "availability", week.error);

  const service = await provider.client.POST("/api/v1/services", {
    body: { name: "Consultation " + tag, duration_minutes: 30, slot_interval_minutes: 30 },
  });
  check(service.response.status === 201 && service.data !== undefined, "service", service.error);

  const day = nextMonday();
  const slots = await customer.client.GET("/api/v1/services/{id}/slots", {
    params: { path: { id: service.data.id }, query: { from: day, to: day } },
  });
  check(slots.data?.slots.length === 6, "slots", slots.data ?? slots.error);
  const first = slots.data.slots[0];
  check(first.start === `${day}T09:00:00Z`, "first slot", first);

  const made = await customer.client.POST("/api/v1/bookings", {
    body: { service_id: service.data.id, start: first.start, notes: "from TypeScript" },
    headers: { "Idempotency-Key": "ts-" + tag },
  });
  check(made.response.status === 201 && made.data?.status === "confirmed", "booking", made.error);
  const booking: Booking = made.data;

  const twice = await customer.client.POST("/api/v1/bookings", {
    body: { service_id: service.data.id, start: first.start, notes: "from TypeScript" },
    headers: { "Idempotency-Key": "ts-" + tag },
  });
  check(twice.response.status === 201 && twice.data?.id === booking.id, "replay", twice.data);

  const taken = await customer.client.POST("/api/v1/bookings", {
    body: { service_id: service.data.id, start: first.start },
  });
  // error is the union of the documented error bodies: narrowed by its fields.
  const conflict = taken.error && "next_slots" in taken.error ? taken.error : undefined;
  check(taken.response.status === 409 && conflict?.code === "slot_unavailable", "taken", taken.error);
  check(conflict.next_slots.length > 0, "next_slots", conflict);

  const bad = await customer.client.POST("/api/v1/bookings", {
    body: { service_id: service.data.id, start: "not a time" },
  });
  const detail = bad.error?.detail;
  const item = Array.isArray(detail) ? detail[0] : undefined;
  check(bad.response.status === 422 && item !== undefined, "422", bad.error);
  check(item.loc[0] === "body" && item.loc.every((p) => typeof p === "string" || typeof p === "number"),
        "422 loc", item);

  const seen = await provider.client.GET("/api/v1/bookings/{id}", {
    params: { path: { id: booking.id } },
  });
  check(seen.data?.customer_id === customer.user.id, "provider sees it", seen.error);

  const moved = await customer.client.POST("/api/v1/bookings/{id}/reschedule", {
    params: { path: { id: booking.id } },
    body: { start: slots.data.slots[1].start },
  });
  check(moved.data?.start === slots.data.slots[1].start, "reschedule", moved.error);

  const cancelled = await customer.client.POST("/api/v1/bookings/{id}/cancel", {
    params: { path: { id: booking.id } },
    body: { reason: "changed plans" },
  });
  check(cancelled.data?.status === "cancelled" && cancelled.data.cancelled_at !== null,
        "cancel", cancelled.error);

  const mine = await customer.client.GET("/api/v1/bookings", { params: { query: { status: "cancelled" } } });
  check(mine.data?.total === 1 && mine.data.items[0].id === booking.id, "list", mine.data);
  console.log(`flow ok: booking ${booking.id}`);
}

main().catch((e) => {
  console.error(String(e));
  process.exit(1);
});
