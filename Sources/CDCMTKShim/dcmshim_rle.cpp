// RLE Lossless (PS3.5 Annex G) frames of grey-scale images, decoded here rather than by DCMTK: DCMTK 3.6.7's
// DcmRLEDecoder trusts the segment offsets of the RLE header and crashes (SIGSEGV) on a crafted one (found by
// segd's fuzz run; Tests/Fuzz/dcmtk-crashes). Every offset and every run is checked against the fragment here.
#include "dcmshim_internal.hpp"

#include <cstring>

namespace dcmshim {

namespace {

uint32_t le32(const uint8_t *p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

/// Unpacks one PackBits segment into `count` bytes written `stride` apart from `out`. Returns a reason or "".
std::string unpackSegment(const uint8_t *in, size_t length, uint8_t *out, size_t count, size_t stride) {
    size_t read = 0, written = 0;
    while (written < count && read < length) {
        const int n = int8_t(in[read++]);
        if (n >= 0) {  // n + 1 literal bytes
            const size_t run = size_t(n) + 1;
            if (read + run > length) return "a literal run reaches past the end of the segment";
            const size_t take = std::min(run, count - written);  // an overlong last run is clipped
            for (size_t i = 0; i < take; ++i) out[(written + i) * stride] = in[read + i];
            read += run;
            written += take;
        } else if (n != -128) {  // the next byte, 1 - n times
            if (read >= length) return "a repeat run has no byte to repeat";
            const size_t take = std::min(size_t(1 - n), count - written);
            const uint8_t value = in[read++];
            for (size_t i = 0; i < take; ++i) out[(written + i) * stride] = value;
            written += take;
        }  // -128: no operation
    }
    if (written < count)
        return "a segment decodes to " + std::to_string(written) + " of " + std::to_string(count) + " bytes";
    return "";
}

} // namespace

std::string decodeRLE(const uint8_t *data, size_t length, size_t pixels, unsigned bytesPerSample,
                      std::vector<uint8_t> &raw) {
    if (length < 64) return "the RLE header is truncated (" + std::to_string(length) + " bytes)";
    const uint32_t segments = le32(data);
    if (segments != bytesPerSample)
        return "the RLE header declares " + std::to_string(segments) + " segments; a grey-scale image of " +
               std::to_string(8 * bytesPerSample) + "-bit samples has " + std::to_string(bytesPerSample);
    uint32_t offsets[16];
    for (uint32_t s = 0; s < segments; ++s) offsets[s] = le32(data + 4 + 4 * s);
    offsets[segments] = uint32_t(std::min<size_t>(length, UINT32_MAX));
    for (uint32_t s = 0; s < segments; ++s) {
        if (offsets[s] < 64 || offsets[s] > offsets[s + 1] || offsets[s] >= length)
            return "RLE segment " + std::to_string(s + 1) + " has an impossible offset " + std::to_string(offsets[s]) +
                   " in a fragment of " + std::to_string(length) + " bytes";
    }
    raw.assign(pixels * bytesPerSample, 0);
    // Segment 1 holds the most significant bytes; samples are stored little-endian (native on our targets).
    for (uint32_t s = 0; s < segments; ++s) {
        std::string reason = unpackSegment(data + offsets[s], offsets[s + 1] - offsets[s],
                                           raw.data() + (bytesPerSample - 1 - s), pixels, bytesPerSample);
        if (!reason.empty()) return "RLE segment " + std::to_string(s + 1) + ": " + reason;
    }
    return "";
}

} // namespace dcmshim
