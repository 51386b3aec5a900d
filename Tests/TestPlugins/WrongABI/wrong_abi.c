/* A deliberately broken plugin for tests: its table claims ABI version 99. */
#include "segd_plugin.h"

static const char *const classes[] = {"test.WrongABI", 0};

static const segd_plugin_api table = {
    .abi_version = 99u,
    .struct_size = sizeof(segd_plugin_api),
    .name = "wrong-abi",
    .version = "0",
    .classes = classes,
};

const segd_plugin_api *segd_plugin_entry(uint32_t host_abi_version) {
    (void)host_abi_version;
    return &table;
}
