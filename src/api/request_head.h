/* The strict reading of a request's line and header fields that
 * libmicrohttpd 0.9.75 does not do itself (API.md "Conventions"). */
#ifndef API_REQUEST_HEAD_H
#define API_REQUEST_HEAD_H
#include <stddef.h>

#include <microhttpd.h>

enum request_head_result {
    REQUEST_HEAD_OK,
    REQUEST_HEAD_MALFORMED, /* 400, and the connection is closed */
    REQUEST_HEAD_TOO_LARGE, /* 431: more than max_bytes of request line and headers */
};

/* Checks the request whose headers libmicrohttpd has just read (the first
 * access-handler call; method, url and version as given to it): one space
 * between the parts of the request line, a token for a method, every header
 * a token, a colon and a value without control bytes, each line ended by
 * CRLF, no folded lines, exactly one Host on HTTP/1.1 and at most one on
 * HTTP/1.0. Reads libmicrohttpd's buffer in place; allocates nothing. */
enum request_head_result request_head_check(struct MHD_Connection *c, const char *method,
                                            const char *url, const char *version,
                                            size_t max_bytes);
#endif
