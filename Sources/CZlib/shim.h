#ifndef SEGD_CZLIB_SHIM_H
#define SEGD_CZLIB_SHIM_H
// zlib from the system (zlib1g-dev): deflate for PNG image data, crc32 for PNG chunks.
#include <zlib.h>
#endif
