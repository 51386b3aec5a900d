#include "segd_plugin.h"

#include <string.h>

void segd_error_set(segd_error *error, const char *message) {
    if (error == NULL) return;
    if (message == NULL) message = "unknown error";
    size_t n = strlen(message);
    if (n >= SEGD_ERROR_CAPACITY) n = SEGD_ERROR_CAPACITY - 1;
    memcpy(error->message, message, n);
    error->message[n] = '\0';
}
