/*
 * A deliberately faulty plugin for the daemon's fault tests. It implements two network classes whose
 * `create` works and whose `infer` misbehaves in the worker process:
 *   test.Segfault  raises SIGSEGV (a plugin that crashes);
 *   test.Hang      never returns (a plugin that hangs; the daemon's stage timeout must end it).
 * Never installed: the tests copy libSegdTestPluginFaulty.so into a plugin folder of their own.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "segd_plugin.h"

static const char *const classes[] = {"test.Segfault", "test.Hang", 0};

enum behaviour { SEGFAULT = 1, HANG = 2 };

static void *create(const char *network_json, const char *weights_path, int32_t threads, segd_error *error) {
    (void)weights_path;
    (void)threads;
    int *handle = malloc(sizeof(int));
    if (!handle) {
        segd_error_set(error, "out of memory");
        return 0;
    }
    if (strstr(network_json, "test.Segfault")) *handle = SEGFAULT;
    else if (strstr(network_json, "test.Hang")) *handle = HANG;
    else {
        free(handle);
        segd_error_set(error, "the faulty test plugin serves only test.Segfault and test.Hang");
        return 0;
    }
    return handle;
}

static int32_t infer(void *handle, const segd_tensor *input, segd_tensor *output, segd_error *error) {
    (void)input;
    (void)output;
    (void)error;
    if (*(int *)handle == SEGFAULT) {
        raise(SIGSEGV);
    }
    for (;;) pause();
    return 1;
}

static void release_tensor(segd_tensor *tensor) { (void)tensor; }

static void destroy(void *handle) { free(handle); }

static const segd_plugin_api table = {
    .abi_version = SEGD_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(segd_plugin_api),
    .name = "faulty-test",
    .version = "0",
    .classes = classes,
    .create = create,
    .infer = infer,
    .release_tensor = release_tensor,
    .destroy = destroy,
};

const segd_plugin_api *segd_plugin_entry(uint32_t host_abi_version) {
    return host_abi_version == SEGD_PLUGIN_ABI_VERSION ? &table : 0;
}
