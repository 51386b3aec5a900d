/*
 * segd model plugin ABI.
 *
 * A plugin is a shared library that exports one C symbol, `segd_plugin_entry`. The host calls it with the ABI
 * version it speaks; the plugin returns a pointer to a static, immutable table of functions (or NULL when it
 * cannot serve that version). Everything that crosses the boundary is plain C: strings, float buffers and
 * shapes. Errors are strings written into a caller-provided buffer; no exception, signal or language runtime
 * error may cross the boundary on purpose.
 *
 * Versioning: SEGD_PLUGIN_ABI_VERSION changes whenever the table's layout or any function's meaning changes.
 * The host refuses a plugin whose table reports another version.
 *
 * Threading: `create`, `infer` and `destroy` may be called from any thread, but never concurrently on the
 * same handle. Different handles may run concurrently.
 */
#ifndef SEGD_PLUGIN_H
#define SEGD_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SEGD_PLUGIN_ABI_VERSION 1u
#define SEGD_PLUGIN_ENTRY_SYMBOL "segd_plugin_entry"
#define SEGD_TENSOR_MAX_RANK 8
#define SEGD_ERROR_CAPACITY 1024

/* A dense float32 tensor in row-major (C) order, e.g. NCHW or NCDHW. */
typedef struct segd_tensor {
    float *data;
    int32_t rank;
    int64_t shape[SEGD_TENSOR_MAX_RANK];
} segd_tensor;

/* Filled by the plugin when a call fails: a NUL-terminated message that tells the user what to do. */
typedef struct segd_error {
    char message[SEGD_ERROR_CAPACITY];
} segd_error;

typedef struct segd_plugin_api {
    /* SEGD_PLUGIN_ABI_VERSION of the plugin's build. */
    uint32_t abi_version;
    /* sizeof(segd_plugin_api) of the plugin's build. */
    uint32_t struct_size;
    /* Plugin name and version, e.g. "unet", "1.0.0". Static strings. */
    const char *name;
    const char *version;
    /* NULL-terminated list of the network classes it implements, e.g. "monai.networks.nets.UNet". */
    const char *const *classes;

    /* Builds a network from its JSON description {"class": "...", "kwargs": {...}} and loads its weights from
       a .safetensors file. `threads` is the compute thread count (0 = the plugin's default). Returns an opaque
       handle, or NULL with `error` filled. */
    void *(*create)(const char *network_json, const char *weights_path, int32_t threads, segd_error *error);

    /* Runs one forward pass. On success returns 0 and fills `output` with a tensor whose data the plugin
       allocated; the host releases it with `release_tensor`. On failure returns non-zero with `error` filled. */
    int32_t (*infer)(void *handle, const segd_tensor *input, segd_tensor *output, segd_error *error);

    /* Releases the data of a tensor returned by `infer`. */
    void (*release_tensor)(segd_tensor *tensor);

    /* Releases a network. */
    void (*destroy)(void *handle);
} segd_plugin_api;

/* The one exported entry point. */
typedef const segd_plugin_api *(*segd_plugin_entry_fn)(uint32_t host_abi_version);

/* Copies `message` into `error`, truncating safely. NULL `error` is ignored. */
void segd_error_set(segd_error *error, const char *message);

#ifdef __cplusplus
}
#endif

#endif /* SEGD_PLUGIN_H */
