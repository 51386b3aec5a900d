#ifndef SEGD_CSYSTEMD_SHIM_H
#define SEGD_CSYSTEMD_SHIM_H
// The parts of libsystemd the daemon uses: readiness/watchdog notification, socket activation, the journal.
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#endif
