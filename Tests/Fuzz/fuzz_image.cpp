// libFuzzer target: one image file through the calls the Swift `DICOM` module makes for it (DICOMFile,
// InstanceHeader, SeriesStack.loadVolume): open, header strings and numbers, functional groups, pixel
// module, then decoding of the first, a middle and the last frame into a buffer of exactly one frame.
#include "dcmshim.h"
#include "dcmshim_internal.hpp"
#include "fuzz_common.hpp"

#include <cstring>
#include <vector>

namespace {

// The tags InstanceHeader / InstanceIdentity read (Sources/DICOM/Tag.swift).
const uint32_t kStringTags[] = {
    0x00080016, 0x00080018, 0x00080060, 0x00080070, 0x00081030, 0x0008103E, 0x00081090, 0x00080021,
    0x00180015, 0x00180020, 0x00180050, 0x00180060, 0x00180088, 0x00180086, 0x00180087, 0x00181030,
    0x00181060, 0x00181210, 0x00180010, 0x00185100, 0x00189087, 0x0020000D, 0x0020000E, 0x00200011,
    0x00200012, 0x00200013, 0x00200052, 0x00200100, 0x00080008,
};
const uint32_t kNumberTags[] = {0x00200032, 0x00200037, 0x00280030, 0x00281052, 0x00281053, 0x00180050, 0x00180088};
// (macro, tag) pairs of the per-frame functional groups that InstanceHeader.readFrames reads.
const uint32_t kFrameTags[][2] = {
    {0x00209113, 0x00200032}, {0x00209116, 0x00200037}, {0x00289110, 0x00280030}, {0x00289145, 0x00281053},
    {0x00289145, 0x00281052}, {0x00209111, 0x00209128}, {0x00189114, 0x00189082}, {0x00289110, 0x00180050},
};

void decodeFrame(dcmshim_file *file, uint32_t frame, size_t pixels, double slope, double intercept) {
    std::vector<float> out(pixels);
    dcmshim_error err;
    if (dcmshim_decode_frame(file, frame, slope, intercept, out.data(), out.size(), &err) != 0) {
        if (err.code == DCMSHIM_OK || std::memchr(err.message, 0, sizeof err.message) == nullptr) __builtin_trap();
    }
}

} // namespace

static int runOne(const uint8_t *data, size_t size) {
    fuzz::MemFile input(data, size);
    dcmshim_error err;
    dcmshim_file *file = dcmshim_open(input.path(), &err);
    if (!file) {
        // A failure must carry a code and a terminated message.
        if (err.code == DCMSHIM_OK || std::memchr(err.message, 0, sizeof err.message) == nullptr) __builtin_trap();
        return 0;
    }
    char buf[1024];
    for (uint32_t tag : kStringTags) dcmshim_get_string(file, tag, buf, sizeof buf);
    dcmshim_get_string(file, 0x00080016, buf, 1);  // smallest buffer: truncation to ""
    dcmshim_get_meta_string(file, 0x00020002, buf, sizeof buf);
    dcmshim_get_meta_string(file, 0x00020010, buf, sizeof buf);
    dcmshim_has_tag(file, 0x00041220);
    double numbers[16];
    for (uint32_t tag : kNumberTags) {
        int n = dcmshim_get_numbers(file, tag, numbers, 16);
        if (n < 0 || n > 16) __builtin_trap();
    }

    dcmshim_pixel_info info;
    if (dcmshim_pixel_info_get(file, &info, &err) == 0) {
        // Functional groups of a few frames, as readFrames does for every frame.
        const uint32_t probes[] = {0, info.frames / 2, info.frames - 1, info.frames};
        for (uint32_t f : probes) {
            for (const auto &mt : kFrameTags) {
                int n = dcmshim_get_frame_numbers(file, f, mt[0], mt[1], numbers, 16);
                if (n < 0 || n > 16) __builtin_trap();
            }
            dcmshim_get_frame_string(file, f, 0x00209111, 0x00209128, buf, sizeof buf);
        }
        const size_t pixels = size_t(info.rows) * info.columns;
        if (info.has_pixel_data && pixels > 0 && pixels <= fuzz::kMaxFramePixels) {
            double slope = 1, intercept = 0;
            dcmshim_get_numbers(file, 0x00281053, &slope, 1);
            dcmshim_get_numbers(file, 0x00281052, &intercept, 1);
            decodeFrame(file, 0, pixels, slope, intercept);
            if (info.frames > 1) {
                decodeFrame(file, info.frames / 2, pixels, slope, intercept);
                decodeFrame(file, info.frames - 1, pixels, slope, intercept);
            }
            decodeFrame(file, info.frames, pixels, slope, intercept);  // out of range: a clean error
        }
    }
    dcmshim_close(file);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    runOne(data, size);
    // Every handle opened for the input is closed again, also when DCMTK threw while reading it.
    if (dcmshim::liveHandles() != 0) __builtin_trap();
    return 0;
}
