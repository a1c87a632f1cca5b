#include "api/request_head.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

#include "core/banned.h"

/*
 * libmicrohttpd 0.9.75 parses the request head in its read buffer, in place:
 * it writes NUL over the space after the method, the '?' and the space
 * before the version, each colon and each CR and LF, and hands out pointers
 * into that buffer. It is lenient where a strict reader must not be: it
 * skips extra spaces in the request line, keeps a space before a colon in
 * the field name, joins folded lines, stops a value at a NUL byte and takes
 * a bare LF for CRLF. Any of these leaves bytes between the pieces it hands
 * out, or pieces that are not adjacent; so the check walks the buffer from
 * the method to the end of the head (MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE
 * bytes) and asks that every byte be one of those pieces or a separator it
 * wrote. A libmicrohttpd that stops parsing in place fails this check on
 * every request, which the HTTP suite's first request shows at once.
 */

struct head_walk {
    const char *at;  /* the next byte not yet accounted for */
    const char *end; /* one past the head's final CRLF */
    bool ok;
    int hosts;
};

static bool is_tchar(unsigned char ch)
{
    return g_ascii_isalnum(ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static bool is_token(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_tchar((unsigned char)s[i]))
            return false;
    return n > 0;
}

/* RFC 9110 field-value bytes: visible ASCII, space, tab and obs-text. */
static bool is_field_value(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
            return false;
    }
    return true;
}

/* The two NULs libmicrohttpd left of a CRLF, at w->at. */
static bool take_crlf(struct head_walk *w)
{
    if (w->end - w->at < 2 || w->at[0] != '\0' || w->at[1] != '\0')
        return false;
    w->at += 2;
    return true;
}

static enum MHD_Result walk_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                  size_t key_size, const char *value, size_t value_size)
{
    struct head_walk *w = cls;
    (void)kind;
    w->ok = w->ok && key == w->at && (size_t)(w->end - key) > key_size &&
            is_token(key, key_size) && key[key_size] == '\0';
    if (!w->ok)
        return MHD_NO;
    const char *p = key + key_size + 1;
    while (p < w->end && (*p == ' ' || *p == '\t'))
        p++;
    w->ok = value == p && (size_t)(w->end - value) >= value_size &&
            is_field_value(value, value_size);
    if (!w->ok)
        return MHD_NO;
    w->at = value + value_size;
    w->ok = take_crlf(w);
    if (g_ascii_strcasecmp(key, "Host") == 0)
        w->hosts++;
    return w->ok ? MHD_YES : MHD_NO;
}

/* METHOD NUL url … NUL HTTP/x.y CRLF, with one space each side of the target. */
static bool walk_request_line(struct head_walk *w, const char *method, const char *url,
                              const char *version)
{
    size_t n = strlen(method);
    if (!is_token(method, n) || url != method + n + 1 || version <= url + 1 ||
        version + 8 > w->end || version[-1] != '\0' || version[-2] == ' ')
        return false;
    w->at = version + 8;
    return take_crlf(w);
}

enum request_head_result request_head_check(struct MHD_Connection *c, const char *method,
                                            const char *url, const char *version,
                                            size_t max_bytes)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    if (!info || !method || !url || !version || strlen(version) != 8)
        return REQUEST_HEAD_MALFORMED;
    if (info->header_size > max_bytes)
        return REQUEST_HEAD_TOO_LARGE;
    struct head_walk w = {.end = method + info->header_size, .ok = true};
    if (!walk_request_line(&w, method, url, version))
        return REQUEST_HEAD_MALFORMED;
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, walk_field, &w);
    bool http11 = strcmp(version, "HTTP/1.1") == 0;
    if (!w.ok || !take_crlf(&w) || w.at != w.end || w.hosts > 1 || (http11 && w.hosts != 1))
        return REQUEST_HEAD_MALFORMED;
    return REQUEST_HEAD_OK;
}
