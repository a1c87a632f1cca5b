/* Server-Sent Events framing (the HTML standard's text/event-stream): what
 * a stream writes, as text. */
#ifndef API_SSE_H
#define API_SSE_H
#include <glib.h>
#include <stdint.h>

/* The first bytes of every stream: the client's reconnection delay. */
#define SSE_RETRY "retry: 3000\n\n"
/* A comment: keeps proxies and the client's read timeout from closing a quiet stream. */
#define SSE_PING ": ping\n\n"
/* Sent before a resume's events when retention deleted some of those asked for. */
#define SSE_RESET "event: reset\ndata: {}\n\n"

/* Appends one event to out: its id, event and data lines and the blank line
 * that dispatches it. Each line of data (JSON from the outbox has none, but
 * a line break must not end the field) gets a data line of its own. */
void sse_frame_event(GString *out, int64_t id, const char *type, const char *data);
#endif
