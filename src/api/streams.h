/* The event streams of this process (GET /api/v1/events) and their one
 * owner: the dispatcher, a thread started by streams_start with a database
 * connection of its own. A stream holds no thread and no connection: it is
 * a suspended libmicrohttpd connection with a buffer of pending text. The
 * dispatcher reads each new event once (PostgreSQL: woken by LISTEN
 * appointd_events; SQLite: polling), frames it once and appends it to every
 * stream that may see it, resuming the connections that were waiting; it
 * reads resume backlogs, sends pings, checks every few seconds in batches
 * that each stream's session and user are still live, and ends the streams
 * on SIGTERM. libmicrohttpd's I/O threads only copy pending text out
 * (docs/ARCHITECTURE-NOTES.md, "Event streams"). */
#ifndef API_STREAMS_H
#define API_STREAMS_H
#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "services/events.h"

/* What a handler hands the server to open a stream (response.stream;
 * malloc'd, freed by whoever ends up with it): who it is for, and where it
 * resumes. */
struct stream_open {
    struct event_viewer viewer;
    bool resume;     /* Last-Event-ID given: the events after last_id first */
    int64_t last_id;
};

/* Starts the dispatcher on its own connection to cfg's database. False
 * when the thread cannot start (the connection may come later). */
bool streams_start(const struct config *cfg);
/* A response streaming o's events on conn (which it suspends while there is
 * nothing to send), taking o; NULL when streams are ending (SIGTERM) or
 * memory ran out. The stream lives until libmicrohttpd frees the response. */
struct MHD_Response *streams_response(struct MHD_Connection *conn, struct stream_open *o);
/* libmicrohttpd's per-connection time-out for a stream: no request time-out
 * applies, but a client that has taken no byte for four pings (at least a
 * minute) is gone or stuck, and its connection is closed. (Suspended
 * connections never time out; resuming one restarts its clock.) */
unsigned streams_stall_seconds(void);
/* SIGTERM: ends every stream (what is pending goes out first) and refuses
 * new ones; waits up to timeout_ms for their responses to be done. False
 * when a stream is still suspended (the dispatcher could not get to it):
 * MHD_stop_daemon would then abort. */
bool streams_close_all(int timeout_ms);
/* Stops the dispatcher and closes its connection; after MHD_stop_daemon. */
void streams_stop(void);
#endif
