// Opens an EventSource on a page in Debian's Chromium (driven by
// playwright-core), as a browser client of the API would: a ticket from
// POST /api/v1/events/ticket (a CORS request with the Bearer token), then
// EventSource(API + "/api/v1/events?ticket=..."). Prints "open" once the
// stream is open, then the data of the first booking.created event, and
// exits 0; tests/api/test_browser_events.py makes the booking in between.
// Env: PAGE_URL (the page's origin, listed in CORS_ORIGINS), API_URL, TOKEN.
const { chromium } = require("playwright-core");

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    // As root (the test machines) Chromium's sandbox cannot start.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    const page = await browser.newPage();
    page.on("console", (m) => console.error("page: " + m.text()));
    await page.goto(process.env.PAGE_URL);
    await page.exposeFunction("reportOpen", () => console.log("open"));
    const data = await page.evaluate(async ({ api, token }) => {
      const r = await fetch(api + "/api/v1/events/ticket", {
        method: "POST",
        headers: { Authorization: "Bearer " + token },
      });
      if (r.status !== 201) throw new Error("ticket: " + r.status);
      const { ticket } = await r.json();
      return await new Promise((resolve, reject) => {
        const es = new EventSource(api + "/api/v1/events?ticket=" + encodeURIComponent(ticket));
        const timer = setTimeout(() => reject(new Error("no event within 20 s")), 20000);
        es.onopen = () => window.reportOpen();
        es.onerror = () => { if (es.readyState === EventSource.CLOSED) reject(new Error("closed")); };
        es.addEventListener("booking.created", (e) => {
          clearTimeout(timer);
          es.close();
          resolve(JSON.stringify({ id: e.lastEventId, data: JSON.parse(e.data) }));
        });
      });
    }, { api: process.env.API_URL, token: process.env.TOKEN });
    console.log(data);
  } finally {
    await browser.close();
  }
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
