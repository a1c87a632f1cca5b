#include <criterion/criterion.h>
#include <string.h>

#include "core/log.h"

Test(log_escape, text_escapes_control_bytes_only)
{
    char out[64];
    log_escape(out, sizeof out, "/a\nb\x01\x7f\"\\é", false);
    cr_assert_str_eq(out, "/a\\x0ab\\x01\\x7f\"\\é");
}

Test(log_escape, json_escapes_quotes_backslashes_and_control_bytes)
{
    char out[64];
    log_escape(out, sizeof out, "a\"b\\c\r\n\té", true);
    cr_assert_str_eq(out, "a\\\"b\\\\c\\u000d\\u000a\\u0009é");
}

Test(log_escape, json_escapes_bytes_that_are_not_utf8)
{
    char out[64];
    log_escape(out, sizeof out, "x\xff\xfey", true);
    cr_assert_str_eq(out, "x\\u00ff\\u00fey");
}

Test(log_escape, never_cuts_an_escape_in_half)
{
    char out[6];
    size_t n = log_escape(out, sizeof out, "ab\ncd", false);
    cr_assert_str_eq(out, "ab");
    cr_assert_eq(n, 2);
}

Test(log_set_format, knows_text_and_json_only)
{
    cr_assert(log_set_format("json"));
    cr_assert(log_set_format("text"));
    cr_assert_not(log_set_format("xml"));
}
