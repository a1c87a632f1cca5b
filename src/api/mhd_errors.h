/* libmicrohttpd's own error replies, replaced by the contract's.
 *
 * libmicrohttpd 0.9.75 answers some requests before our handler sees them:
 * a head past its memory pool (431, 414), an unparsable Content-Length
 * (400 or 413, and then it sends its header block twice), a bad HTTP
 * version (505), a line without a colon, a broken chunked body (400). Its
 * answers are HTML without X-Request-ID. It queues them through its own
 * exported MHD_queue_response, called through the PLT, so this file defines
 * MHD_queue_response: the call from inside the library gets the contract's
 * JSON error written to the socket, and MHD_NO back, on which libmicrohttpd
 * closes the connection without sending anything of its own. */
#ifndef API_MHD_ERRORS_H
#define API_MHD_ERRORS_H
#include <stdbool.h>

#include <microhttpd.h>

/* Finds libmicrohttpd's own MHD_queue_response; false (logged) when it cannot. */
bool mhd_errors_init(void);
/* Queues our own response: the only way appointd may queue one, since a
 * call of MHD_queue_response by name is taken for libmicrohttpd's error. */
enum MHD_Result mhd_errors_queue(struct MHD_Connection *c, unsigned status,
                                 struct MHD_Response *resp);
#endif
