// Pixel module description and frame decoding into float buffers (rescale, masking, sign, MONOCHROME1).
#include "dcmshim_internal.hpp"

#include <cstring>

using dcmshim::fail;

namespace {

Uint16 getU16(DcmDataset *ds, const DcmTagKey &key, Uint16 fallback) {
    Uint16 value = 0;
    return ds->findAndGetUint16(key, value).good() ? value : fallback;
}

bool isJ2K(const std::string &ts) {
    return ts == "1.2.840.10008.1.2.4.90" || ts == "1.2.840.10008.1.2.4.91";
}

bool isRLE(const std::string &ts) { return ts == "1.2.840.10008.1.2.5"; }

int fillInfo(dcmshim_file *file, dcmshim_pixel_info *info, dcmshim_error *err) {
    std::memset(info, 0, sizeof(*info));
    DcmDataset *ds = file->format.getDataset();
    info->rows = getU16(ds, DCM_Rows, 0);
    info->columns = getU16(ds, DCM_Columns, 0);
    Sint32 frames = 1;
    if (ds->findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1) frames = 1;
    info->frames = Uint32(frames);
    info->samples_per_pixel = getU16(ds, DCM_SamplesPerPixel, 1);
    info->bits_allocated = getU16(ds, DCM_BitsAllocated, 0);
    info->bits_stored = getU16(ds, DCM_BitsStored, info->bits_allocated);
    info->high_bit = getU16(ds, DCM_HighBit, Uint16(info->bits_stored ? info->bits_stored - 1 : 0));
    info->pixel_representation = getU16(ds, DCM_PixelRepresentation, 0);
    OFString photometric;
    ds->findAndGetOFString(DCM_PhotometricInterpretation, photometric);
    info->monochrome1 = photometric == "MONOCHROME1" ? 1 : 0;
    DcmXfer xfer(ds->getOriginalXfer());
    dcmshim::copyOut(xfer.getXferID(), info->transfer_syntax, sizeof(info->transfer_syntax));
    info->pixel_data_length = -1;
    info->fragments = -1;
    DcmElement *element = nullptr;
    if (ds->findAndGetElement(DCM_PixelData, element, OFFalse).good() && element) {
        info->has_pixel_data = 1;
        auto *pixels = dynamic_cast<DcmPixelData *>(element);
        DcmPixelSequence *sequence = nullptr;
        E_TransferSyntax original = EXS_Unknown;
        const DcmRepresentationParameter *param = nullptr;
        if (pixels) pixels->getOriginalRepresentationKey(original, param);
        if (pixels && DcmXfer(original).isEncapsulated() &&
            pixels->getEncapsulatedRepresentation(original, param, sequence).good()) {
            info->encapsulated = 1;
            info->fragments = sequence && sequence->card() > 0 ? int64_t(sequence->card()) - 1 : 0;
        } else {
            info->pixel_data_length = element->getLength();
        }
    }
    return dcmshim::ok(err);
}

/// Converts raw stored words (native byte order) into signed stored values.
void extractStored(const uint8_t *raw, size_t count, const dcmshim_pixel_info &info, std::vector<int32_t> &values) {
    const unsigned bitsStored = info.bits_stored;
    const unsigned shift = info.high_bit + 1u >= bitsStored ? info.high_bit + 1u - bitsStored : 0u;
    const uint64_t mask = bitsStored >= 32 ? 0xFFFFFFFFull : ((1ull << bitsStored) - 1);
    const bool isSigned = info.pixel_representation == 1;
    const int64_t signBit = int64_t(1) << (bitsStored - 1);
    values.resize(count);
    for (size_t i = 0; i < count; ++i) {
        uint64_t word;
        switch (info.bits_allocated) {
        case 8: word = raw[i]; break;
        case 16: { uint16_t w; std::memcpy(&w, raw + 2 * i, 2); word = w; break; }
        default: { uint32_t w; std::memcpy(&w, raw + 4 * i, 4); word = w; break; }
        }
        int64_t v = int64_t((word >> shift) & mask);
        if (isSigned && (v & signBit)) v -= signBit * 2;
        values[i] = int32_t(v);
    }
}

int decode(dcmshim_file *file, uint32_t frame, double slope, double intercept, float *out, size_t count,
           dcmshim_error *err) {
    dcmshim_pixel_info info;
    fillInfo(file, &info, err);
    if (!info.has_pixel_data) return fail(err, DCMSHIM_ERR_NO_PIXELS, "the file has no PixelData element");
    if (info.samples_per_pixel != 1)
        return fail(err, DCMSHIM_ERR_UNSUPPORTED, "colour images (SamplesPerPixel " +
                    std::to_string(info.samples_per_pixel) + ") are not supported; only grey-scale");
    if (info.bits_allocated != 8 && info.bits_allocated != 16 && info.bits_allocated != 32)
        return fail(err, DCMSHIM_ERR_UNSUPPORTED, "BitsAllocated " + std::to_string(info.bits_allocated) +
                    " is not supported (8, 16 or 32 only)");
    if (info.bits_stored == 0 || info.bits_stored > info.bits_allocated || info.high_bit >= info.bits_allocated)
        return fail(err, DCMSHIM_ERR_UNSUPPORTED, "inconsistent BitsStored/HighBit/BitsAllocated");
    if (info.rows == 0 || info.columns == 0) return fail(err, DCMSHIM_ERR_UNSUPPORTED, "Rows or Columns is zero");
    if (frame >= info.frames)
        return fail(err, DCMSHIM_ERR_ARGUMENT, "frame " + std::to_string(frame) + " is out of range (" +
                    std::to_string(info.frames) + " frames)");
    if (info.encapsulated && info.fragments < int64_t(info.frames))
        return fail(err, DCMSHIM_ERR_DECODE, "NumberOfFrames is " + std::to_string(info.frames) + " but the pixel "
                    "data has only " + std::to_string(info.fragments) + " compressed fragments");
    const size_t pixelCount = size_t(info.rows) * info.columns;
    if (count < pixelCount) return fail(err, DCMSHIM_ERR_ARGUMENT, "output buffer is smaller than one frame");

    DcmDataset *ds = file->format.getDataset();
    DcmElement *element = nullptr;
    ds->findAndGetElement(DCM_PixelData, element, OFFalse);
    auto *pixels = dynamic_cast<DcmPixelData *>(element);
    if (!pixels) return fail(err, DCMSHIM_ERR_DECODE, "PixelData has an unexpected type");

    std::vector<int32_t> values;
    const bool ownCodec = isJ2K(info.transfer_syntax) || isRLE(info.transfer_syntax);
    if (info.encapsulated && ownCodec) {
        const char *codec = isRLE(info.transfer_syntax) ? "RLE" : "JPEG 2000";
        E_TransferSyntax original = EXS_Unknown;
        const DcmRepresentationParameter *param = nullptr;
        pixels->getOriginalRepresentationKey(original, param);
        DcmPixelSequence *sequence = nullptr;
        if (pixels->getEncapsulatedRepresentation(original, param, sequence).bad() || !sequence)
            return fail(err, DCMSHIM_ERR_DECODE, std::string("cannot access the ") + codec + " fragments");
        std::vector<uint8_t> bytes;
        std::string reason = dcmshim::encapsulatedFrame(sequence, frame, info.frames, bytes);
        if (reason.empty() && isRLE(info.transfer_syntax)) {
            std::vector<uint8_t> raw;
            reason = dcmshim::decodeRLE(bytes.data(), bytes.size(), pixelCount, info.bits_allocated / 8, raw);
            if (reason.empty()) extractStored(raw.data(), pixelCount, info, values);
        } else if (reason.empty()) {
            reason = dcmshim::decodeJ2K(bytes.data(), bytes.size(), info.rows, info.columns, values);
        }
        if (!reason.empty())
            return fail(err, DCMSHIM_ERR_DECODE, std::string(codec) + " frame " + std::to_string(frame) + ": " + reason);
    } else {
        if (!info.encapsulated) {
            // Divided, not multiplied: Rows x Columns x 4 bytes x NumberOfFrames can exceed 64 bits.
            const uint64_t frameBytes = uint64_t(pixelCount) * (info.bits_allocated / 8);
            if (info.pixel_data_length >= 0 && uint64_t(info.pixel_data_length) / frameBytes < info.frames)
                return fail(err, DCMSHIM_ERR_DECODE, "pixel data is shorter than Rows x Columns x frames (" +
                            std::to_string(info.pixel_data_length) + " bytes for " + std::to_string(info.frames) +
                            " frames of " + std::to_string(frameBytes) + " bytes)");
        }
        Uint32 frameSize = 0;
        OFCondition cond = pixels->getUncompressedFrameSize(ds, frameSize);
        if (cond.bad()) return fail(err, DCMSHIM_ERR_DECODE, std::string("cannot size the frame: ") + cond.text());
        const size_t needBytes = pixelCount * (info.bits_allocated / 8);
        std::vector<uint8_t> raw(std::max<size_t>(frameSize, needBytes) + 2, 0);
        Uint32 startFragment = 0;
        OFString colorModel;
        Uint32 bufSize = Uint32(raw.size() & ~size_t(1));
        cond = pixels->getUncompressedFrame(ds, frame, startFragment, raw.data(), bufSize, colorModel, nullptr);
        if (cond.bad())
            return fail(err, DCMSHIM_ERR_DECODE, "cannot decode frame " + std::to_string(frame) + " (transfer syntax " +
                        info.transfer_syntax + "): " + cond.text());
        extractStored(raw.data(), pixelCount, info, values);
    }
    if (values.size() < pixelCount) return fail(err, DCMSHIM_ERR_DECODE, "decoded frame is too small");

    const bool invert = info.monochrome1 != 0;
    const int64_t maxUnsigned = info.bits_stored >= 32 ? 0xFFFFFFFFll : ((int64_t(1) << info.bits_stored) - 1);
    const bool isSigned = info.pixel_representation == 1;
    for (size_t i = 0; i < pixelCount; ++i) {
        int64_t v = values[i];
        if (invert) v = isSigned ? -1 - v : maxUnsigned - v;
        out[i] = float(double(v) * slope + intercept);
    }
    return dcmshim::ok(err);
}

} // namespace

extern "C" int dcmshim_pixel_info_get(dcmshim_file *file, dcmshim_pixel_info *info, dcmshim_error *err) {
    try {
        if (!file || !info) return fail(err, DCMSHIM_ERR_ARGUMENT, "null file or info");
        return fillInfo(file, info, err);
    } catch (...) {
        return fail(err, DCMSHIM_ERR_INTERNAL, "unexpected exception while reading the pixel module");
    }
}

extern "C" int dcmshim_decode_frame(dcmshim_file *file, uint32_t frame, double slope, double intercept,
                                    float *out, size_t count, dcmshim_error *err) {
    try {
        if (!file || !out) return fail(err, DCMSHIM_ERR_ARGUMENT, "null file or output buffer");
        return decode(file, frame, slope, intercept, out, count, err);
    } catch (const std::bad_alloc &) {
        return fail(err, DCMSHIM_ERR_INTERNAL, "out of memory while decoding");
    } catch (...) {
        return fail(err, DCMSHIM_ERR_INTERNAL, "unexpected exception while decoding");
    }
}
