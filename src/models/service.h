/* A bookable service of one provider. Plain data. */
#ifndef MODELS_SERVICE_H
#define MODELS_SERVICE_H
#include <stdbool.h>
#include <stdint.h>

#define SERVICE_NAME_MAX_CHARS 200
#define SERVICE_DESCRIPTION_MAX_CHARS 2000
/* The longest buffer before or after a booking, in minutes. SQL reads it
 * as text (SERVICE_TEXT): the reminder poll finds a provider's bookings
 * near a time by their buffered start, which is at most this much earlier. */
#define SERVICE_BUFFER_MAX_MINUTES 240
#define SERVICE_TEXT_(x) #x
#define SERVICE_TEXT(x) SERVICE_TEXT_(x)

struct service {
    int64_t id;
    int64_t provider_id;
    char name[SERVICE_NAME_MAX_CHARS * 4 + 1];
    char description[SERVICE_DESCRIPTION_MAX_CHARS * 4 + 1];
    int duration_minutes;
    int buffer_before_minutes;
    int buffer_after_minutes;
    int slot_interval_minutes;
    int min_notice_minutes;
    int max_advance_days;
    int cancel_notice_minutes;
    int64_t price_cents;
    bool active;
    int64_t created_at;
};

struct service_list {
    struct service *items;
    int n;
    int64_t total;
};

void service_list_release(struct service_list *list);
#endif
