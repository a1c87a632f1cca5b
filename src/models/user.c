#include "models/user.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static const char *const role_names[] = {"customer", "provider", "admin"};

const char *role_name(enum role role)
{
    return role_names[role];
}

bool role_parse(const char *name, enum role *role)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(name, role_names[i]) == 0) {
            *role = (enum role)i;
            return true;
        }
    return false;
}

void user_list_release(struct user_list *list)
{
    free(list->items);
    list->items = NULL;
    list->n = 0;
}
