// libFuzzer target: one file through the DICOM-SEG reader of the shim (what SEGReader and `segd seg check`
// call): open, info, every segment, frames and references (bounded), and the pixels of a few frames.
#include "dcmshim_seg.h"
#include "dcmshim_internal.hpp"
#include "fuzz_common.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace {

void checkError(const dcmshim_error &err) {
    if (err.code == DCMSHIM_OK || std::memchr(err.message, 0, sizeof err.message) == nullptr) __builtin_trap();
}

} // namespace

static int runOne(const uint8_t *data, size_t size) {
    fuzz::MemFile input(data, size);
    dcmshim_error err;
    dcmshim_seg *seg = dcmshim_seg_open(input.path(), &err);
    if (!seg) {
        checkError(err);
        return 0;
    }
    dcmshim_seg_info info;
    if (dcmshim_seg_get_info(seg, &info, &err) != 0) {
        checkError(err);
        dcmshim_seg_close(seg);
        return 0;
    }
    const uint32_t bound = 256;
    for (uint32_t i = 0; i < std::min(info.segment_count, bound) + 1; ++i) {
        dcmshim_seg_segment_info s;
        if (dcmshim_seg_get_segment(seg, i, &s, &err) != 0) checkError(err);
    }
    for (uint32_t i = 0; i < std::min(info.referenced_instances, bound) + 1; ++i) {
        char uid[65], cls[65];
        if (dcmshim_seg_get_referenced_instance(seg, i, uid, cls, &err) != 0) checkError(err);
    }
    for (uint32_t f = 0; f < std::min(info.frames, bound) + 1; ++f) {
        dcmshim_seg_frame_info fi;
        if (dcmshim_seg_get_frame(seg, f, &fi, &err) != 0) checkError(err);
    }
    const size_t pixels = size_t(info.rows) * info.columns;
    if (pixels > 0 && pixels <= fuzz::kMaxFramePixels) {
        std::vector<uint8_t> out(pixels);
        const uint32_t probes[] = {0, info.frames / 2, info.frames - 1, info.frames};
        for (uint32_t f : probes)
            if (dcmshim_seg_get_frame_pixels(seg, f, out.data(), out.size(), &err) != 0) checkError(err);
        // A buffer one byte short must be refused.
        if (dcmshim_seg_get_frame_pixels(seg, 0, out.data(), pixels - 1, &err) == 0) __builtin_trap();
    }
    dcmshim_seg_close(seg);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    runOne(data, size);
    // Every handle opened for the input is closed again, also when DCMTK threw while reading it.
    if (dcmshim::liveHandles() != 0) __builtin_trap();
    return 0;
}
