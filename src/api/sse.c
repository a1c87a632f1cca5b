#include "api/sse.h"

#include <string.h>

#include "core/banned.h"

void sse_frame_event(GString *out, int64_t id, const char *type, const char *data)
{
    g_string_append_printf(out, "id: %" G_GINT64_FORMAT "\nevent: %s\n", id, type);
    for (const char *p = data;;) {
        size_t n = strcspn(p, "\r\n");
        g_string_append(out, "data: ");
        g_string_append_len(out, p, (gssize)n);
        g_string_append_c(out, '\n');
        p += n;
        if (*p == '\r' && p[1] == '\n')
            p++;
        if (!*p)
            break;
        p++;
    }
    g_string_append_c(out, '\n');
}
