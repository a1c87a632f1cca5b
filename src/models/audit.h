/* An entry of the audit log: who did what to which object, from where. */
#ifndef MODELS_AUDIT_H
#define MODELS_AUDIT_H
#include <stdbool.h>
#include <stdint.h>

struct audit_entry {
    int64_t id;
    int64_t at;
    int64_t actor_id; /* 0: the command line or the server itself */
    char actor_email[255];
    char actor_role[16];
    char action[40];
    char target_type[20];
    int64_t target_id; /* 0: none */
    char ip[64];
    char user_agent[256];
    char request_id[72];
    char *details; /* JSON text; owned by the list */
    char hash[65]; /* "" until sealed */
};

struct audit_list {
    struct audit_entry *items;
    int n;
    int64_t total;
};

/* Which entries a list shows; NULL or 0 fields match everything. */
struct audit_filter {
    const char *action;
    int64_t actor_id;
    const char *target_type;
    int64_t target_id;
    bool has_from, has_to;
    int64_t from, to; /* on at: from inclusive, to exclusive */
};

void audit_list_release(struct audit_list *list);
#endif
