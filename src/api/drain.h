/* Graceful shutdown. libmicrohttpd aborts the process when MHD_stop_daemon
 * finds a connection still suspended, so every hand-over of a connection to
 * a worker passes through here: drain_close succeeds only when no worker
 * holds a connection, and no hand-over can start after it. */
#ifndef API_DRAIN_H
#define API_DRAIN_H
#include <stdbool.h>

/* SIGTERM came: from now on every answer carries Connection: close, and the
 * service manager is told STOPPING=1. */
void drain_begin(void);
bool drain_active(void);
/* Before MHD_suspend_connection for a worker: false once drain_close has
 * succeeded (the caller answers 503 on the I/O thread instead). */
bool drain_enter(void);
/* After the MHD_resume_connection of a drain_enter returned. */
void drain_leave(void);
/* True, and no drain_enter succeeds any more, when no connection is held by
 * a worker; false otherwise (nothing changes). */
bool drain_close(void);
/* Connections held by workers now. */
int drain_held(void);
#endif
