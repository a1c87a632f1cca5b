/* Unit tests of src/api/sse.c: the text/event-stream framing of an event. */
#include <criterion/criterion.h>
#include <glib.h>

#include "api/sse.h"

static void assert_frame(int64_t id, const char *type, const char *data, const char *want)
{
    GString *out = g_string_new("x");
    sse_frame_event(out, id, type, data);
    cr_assert_str_eq(out->str + 1, want);
    g_string_free(out, TRUE);
}

Test(sse, an_event_is_id_event_data_and_a_blank_line)
{
    assert_frame(42, "booking.created", "{\"id\":7}",
                 "id: 42\nevent: booking.created\ndata: {\"id\":7}\n\n");
}

Test(sse, each_line_of_data_gets_its_own_field)
{
    assert_frame(1, "t", "a\nb\r\nc\rd", "id: 1\nevent: t\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
}

Test(sse, empty_data_is_one_empty_field)
{
    assert_frame(9, "t", "", "id: 9\nevent: t\ndata: \n\n");
}

Test(sse, the_fixed_frames)
{
    cr_assert_str_eq(SSE_RETRY, "retry: 3000\n\n");
    cr_assert_str_eq(SSE_PING, ": ping\n\n");
    cr_assert_str_eq(SSE_RESET, "event: reset\ndata: {}\n\n");
}
