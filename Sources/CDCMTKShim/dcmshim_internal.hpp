// Internal declarations shared by the dcmshim_*.cpp files (not part of the public C API).
#ifndef DCMSHIM_INTERNAL_HPP
#define DCMSHIM_INTERNAL_HPP

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"

#include <cstdint>
#include <string>
#include <vector>

#include "dcmshim.h"

namespace dcmshim {
/// Open handles (dcmshim_file, dcmshim_seg) in this process. The fuzz harnesses check it is 0 after each
/// input: LeakSanitizer cannot, as DCMTK-internal leaks are suppressed there (Tests/Fuzz/lsan.supp).
long liveHandles();
/// A member of each handle type: counts it in liveHandles().
struct HandleCount {
    HandleCount();
    ~HandleCount();
    HandleCount(const HandleCount &) = delete;
    HandleCount &operator=(const HandleCount &) = delete;
};
} // namespace dcmshim

struct dcmshim_file {
    dcmshim::HandleCount counted;
    DcmFileFormat format;
    std::string path;
};

namespace dcmshim {

/// Fills `err` (if not null) with a code and a message; returns `code`.
int fail(dcmshim_error *err, int code, const std::string &message);
/// Clears `err` to success; returns 0.
int ok(dcmshim_error *err);
/// Copies a std::string NUL-terminated into a C buffer, truncating.
void copyOut(const std::string &value, char *buf, size_t cap);
/// Makes a DcmTagKey from (group << 16) | element.
inline DcmTagKey tagKey(uint32_t tag) { return DcmTagKey(uint16_t(tag >> 16), uint16_t(tag & 0xFFFF)); }

/// Reads the file at `path` into `format` (header; values over 4 KiB stay on disk) through a bounded stream:
/// DCMSHIM_ERR_MALFORMED past `limit` bytes read (0: the process-wide limit) or at a long zero run.
/// Returns 0 or fills `err`.
int loadHeader(DcmFileFormat &format, const std::string &path, uint64_t limit, dcmshim_error *err);

/// Decodes one JPEG 2000 codestream (or JP2 file) into stored values of a single grey-scale component.
/// Returns an empty string on success, else a reason.
std::string decodeJ2K(const uint8_t *data, size_t length, uint32_t rows, uint32_t columns,
                      std::vector<int32_t> &values);

/// Decodes one RLE Lossless frame of a grey-scale image (PS3.5 Annex G) into `pixels` little-endian samples of
/// `bytesPerSample` bytes, every offset and run checked against the fragment. Returns "" or a reason.
std::string decodeRLE(const uint8_t *data, size_t length, size_t pixels, unsigned bytesPerSample,
                      std::vector<uint8_t> &raw);

/// Collects the compressed bytes of frame `frame` from an encapsulated pixel sequence.
std::string encapsulatedFrame(DcmPixelSequence *sequence, uint32_t frame, uint32_t frames,
                              std::vector<uint8_t> &bytes);

} // namespace dcmshim

#endif
