// Global initialisation and error helpers of the DCMTK shim.
#include "dcmshim_internal.hpp"

#include "dcmtk/dcmdata/dcdict.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/oflog/oflog.h"

#include <atomic>
#include <cstring>
#include <mutex>

namespace dcmshim {

namespace {
std::atomic<long> handles{0};
}
long liveHandles() { return handles.load(); }
HandleCount::HandleCount() { ++handles; }
HandleCount::~HandleCount() { --handles; }

int fail(dcmshim_error *err, int code, const std::string &message) {
    if (err) {
        err->code = code;
        copyOut(message, err->message, sizeof(err->message));
    }
    return code;
}

int ok(dcmshim_error *err) {
    if (err) {
        err->code = DCMSHIM_OK;
        err->message[0] = 0;
    }
    return 0;
}

void copyOut(const std::string &value, char *buf, size_t cap) {
    if (!buf || cap == 0) return;
    size_t n = value.size() < cap - 1 ? value.size() : cap - 1;
    std::memcpy(buf, value.data(), n);
    buf[n] = 0;
}

} // namespace dcmshim

namespace {
std::once_flag initOnce;
int initCode = DCMSHIM_ERR_INIT;
std::string initMessage = "dcmshim_init did not run";

void initialise() {
    // Only errors reach stderr (the journal under systemd); DCMTK warnings about odd files are expected.
    OFLog::configure(OFLogger::ERROR_LOG_LEVEL);
    if (!dcmDataDict.isDictionaryLoaded()) {
        initMessage = "the DCMTK data dictionary could not be loaded (install the libdcmtk17 package, "
                      "or point DCMDICTPATH at dicom.dic)";
        return;
    }
    // Some writers (e.g. GDCM transcodes of implicit-VR files) store known attributes as UN; let DCMTK
    // re-interpret them with the dictionary VR so that positions, spacing and UIDs can be read.
    dcmEnableUnknownVRConversion.set(OFTrue);
    DJDecoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
    initCode = DCMSHIM_OK;
    initMessage.clear();
}
} // namespace

extern "C" int dcmshim_init(dcmshim_error *err) {
    try {
        std::call_once(initOnce, initialise);
        if (initCode != DCMSHIM_OK) return dcmshim::fail(err, initCode, initMessage);
        return dcmshim::ok(err);
    } catch (...) {
        return dcmshim::fail(err, DCMSHIM_ERR_INTERNAL, "unexpected exception while initialising DCMTK");
    }
}
