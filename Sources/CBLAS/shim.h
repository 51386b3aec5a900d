#ifndef SEGD_CBLAS_SHIM_H
#define SEGD_CBLAS_SHIM_H
#include <cblas.h>
#endif
