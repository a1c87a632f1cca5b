/* Unit tests of src/core/signature.c against the Standard Webhooks
 * reference test vector (the one its libraries test with). */
#include <criterion/criterion.h>
#include <glib.h>
#include <string.h>

#include "core/signature.h"

Test(signature, matches_the_standard_webhooks_vector)
{
    char sig[SIGNATURE_LEN];
    const char *body = "{\"test\": 2432232314}";
    cr_assert(signature_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                             1614265330, body, strlen(body), sig));
    cr_expect_str_eq(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    cr_assert(signature_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                             1614265331, body, strlen(body), sig));
    cr_expect_str_neq(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

Test(signature, parses_secrets_of_24_to_64_bytes_only)
{
    unsigned char key[SIGNATURE_SECRET_MAX_BYTES];
    size_t len = 0;
    cr_expect(signature_secret_parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", key, &len));
    cr_expect(len == 24);
    for (size_t n = 1; n <= 80; n++) {
        unsigned char raw[80] = {0};
        gchar *b64 = g_base64_encode(raw, n), *text = g_strconcat("whsec_", b64, NULL);
        cr_expect(signature_secret_parse(text, NULL, NULL) == (n >= 24 && n <= 64), "%zu bytes", n);
        g_free(b64);
        g_free(text);
    }
    const char *bad[] = {"", "whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                         "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", "whsec_MfKQ9r8GKYqrTwjU!D8ILPZIo2LaLaSw",
                         "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw=", "whsec_MfKQ9r8G KYqrTwjUPD8ILPZIo2LaLaS",
                         "WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect(!signature_secret_parse(bad[i], NULL, NULL), "%s accepted", bad[i]);
}

Test(signature, generates_fresh_32_byte_secrets)
{
    char a[SIGNATURE_SECRET_MAX_LEN], b[SIGNATURE_SECRET_MAX_LEN];
    unsigned char key[SIGNATURE_SECRET_MAX_BYTES];
    size_t len = 0;
    cr_assert(signature_secret_generate(a));
    cr_assert(signature_secret_generate(b));
    cr_expect(strncmp(a, "whsec_", 6) == 0);
    cr_expect(signature_secret_parse(a, key, &len) && len == 32);
    cr_expect_str_neq(a, b);
}
