// JPEG 2000 frames (transfer syntaxes 1.2.840.10008.1.2.4.90/.91): DCMTK's free edition has no decoder, so the
// encapsulated fragments are collected here and decoded with OpenJPEG (libopenjp2).
#include "dcmshim_internal.hpp"

#include <openjpeg-2.5/openjpeg.h>

#include <cstring>

namespace {

struct MemoryStream {
    const uint8_t *data;
    size_t length;
    size_t position;
};

OPJ_SIZE_T readBytes(void *buffer, OPJ_SIZE_T count, void *user) {
    auto *m = static_cast<MemoryStream *>(user);
    size_t left = m->length - m->position;
    if (left == 0) return OPJ_SIZE_T(-1);
    size_t n = count < left ? count : left;
    std::memcpy(buffer, m->data + m->position, n);
    m->position += n;
    return n;
}

OPJ_OFF_T skipBytes(OPJ_OFF_T count, void *user) {
    auto *m = static_cast<MemoryStream *>(user);
    if (count < 0) {
        size_t back = size_t(-count) < m->position ? size_t(-count) : m->position;
        m->position -= back;
        return -OPJ_OFF_T(back);
    }
    size_t left = m->length - m->position;
    size_t n = size_t(count) < left ? size_t(count) : left;
    m->position += n;
    return OPJ_OFF_T(n);
}

OPJ_BOOL seekBytes(OPJ_OFF_T offset, void *user) {
    auto *m = static_cast<MemoryStream *>(user);
    if (offset < 0 || size_t(offset) > m->length) return OPJ_FALSE;
    m->position = size_t(offset);
    return OPJ_TRUE;
}

void quiet(const char *, void *) {}

void keepError(const char *message, void *user) {
    auto *text = static_cast<std::string *>(user);
    if (text->empty() && message) {
        *text = message;
        while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
    }
}

/// Owns the OpenJPEG objects of one decode.
struct Decoder {
    opj_codec_t *codec = nullptr;
    opj_stream_t *stream = nullptr;
    opj_image_t *image = nullptr;
    ~Decoder() {
        if (image) opj_image_destroy(image);
        if (stream) opj_stream_destroy(stream);
        if (codec) opj_destroy_codec(codec);
    }
};

} // namespace

namespace dcmshim {

std::string encapsulatedFrame(DcmPixelSequence *sequence, uint32_t frame, uint32_t frames, std::vector<uint8_t> &bytes) {
    const unsigned long items = sequence->card();
    if (items < 2) return "no compressed fragments";
    const unsigned long fragments = items - 1;
    auto append = [&](unsigned long index) -> std::string {
        DcmPixelItem *item = nullptr;
        if (sequence->getItem(item, index).bad() || !item) return "missing fragment " + std::to_string(index);
        Uint8 *data = nullptr;
        if (item->getUint8Array(data).bad() && item->getLength() > 0) return "cannot read fragment " + std::to_string(index);
        if (data) bytes.insert(bytes.end(), data, data + item->getLength());
        return "";
    };
    bytes.clear();
    if (frames == 1) {
        for (unsigned long i = 1; i < items; ++i) {
            std::string reason = append(i);
            if (!reason.empty()) return reason;
        }
        return "";
    }
    if (fragments == frames) return append(frame + 1);
    // Several fragments per frame: the Basic Offset Table gives each frame's first fragment.
    DcmPixelItem *table = nullptr;
    if (sequence->getItem(table, 0).bad() || !table || table->getLength() / 4 < frames)
        return "several fragments per frame but no Basic Offset Table";
    Uint8 *raw = nullptr;
    if (table->getUint8Array(raw).bad() || !raw) return "cannot read the Basic Offset Table";
    std::vector<uint32_t> offsets(frames);
    for (uint32_t i = 0; i < frames; ++i) {
        offsets[i] = uint32_t(raw[4 * i]) | uint32_t(raw[4 * i + 1]) << 8 | uint32_t(raw[4 * i + 2]) << 16 |
                     uint32_t(raw[4 * i + 3]) << 24;
    }
    const uint64_t begin = offsets[frame];
    const uint64_t end = frame + 1 < frames ? offsets[frame + 1] : UINT64_MAX;
    uint64_t position = 0;
    for (unsigned long i = 1; i < items; ++i) {
        DcmPixelItem *item = nullptr;
        if (sequence->getItem(item, i).bad() || !item) return "missing fragment";
        if (position >= begin && position < end) {
            std::string reason = append(i);
            if (!reason.empty()) return reason;
        }
        position += 8 + item->getLength();
    }
    return bytes.empty() ? "the Basic Offset Table points at no fragment" : "";
}

std::string decodeJ2K(const uint8_t *data, size_t length, uint32_t rows, uint32_t columns, std::vector<int32_t> &values) {
    if (length < 4) return "empty codestream";
    const bool rawCodestream = data[0] == 0xFF && data[1] == 0x4F && data[2] == 0xFF && data[3] == 0x51;
    MemoryStream memory{data, length, 0};
    Decoder d;
    std::string error;
    d.codec = opj_create_decompress(rawCodestream ? OPJ_CODEC_J2K : OPJ_CODEC_JP2);
    if (!d.codec) return "OpenJPEG could not create a decoder";
    opj_set_info_handler(d.codec, quiet, nullptr);
    opj_set_warning_handler(d.codec, quiet, nullptr);
    opj_set_error_handler(d.codec, keepError, &error);
    opj_dparameters_t parameters;
    opj_set_default_decoder_parameters(&parameters);
    if (!opj_setup_decoder(d.codec, &parameters)) return "OpenJPEG decoder set-up failed";
    d.stream = opj_stream_create(1 << 16, OPJ_TRUE);
    if (!d.stream) return "OpenJPEG could not create a stream";
    opj_stream_set_read_function(d.stream, readBytes);
    opj_stream_set_skip_function(d.stream, skipBytes);
    opj_stream_set_seek_function(d.stream, seekBytes);
    opj_stream_set_user_data(d.stream, &memory, nullptr);
    opj_stream_set_user_data_length(d.stream, length);
    if (!opj_read_header(d.stream, d.codec, &d.image) || !d.image)
        return "invalid JPEG 2000 header" + (error.empty() ? std::string() : ": " + error);
    if (!opj_decode(d.codec, d.stream, d.image) || !opj_end_decompress(d.codec, d.stream))
        return "JPEG 2000 decoding failed" + (error.empty() ? std::string() : ": " + error);
    if (d.image->numcomps != 1) return "JPEG 2000 image has " + std::to_string(d.image->numcomps) + " components, expected 1";
    const opj_image_comp_t &c = d.image->comps[0];
    if (c.w != columns || c.h != rows || !c.data)
        return "JPEG 2000 image is " + std::to_string(c.w) + "x" + std::to_string(c.h) + ", the header says " +
               std::to_string(columns) + "x" + std::to_string(rows);
    values.assign(c.data, c.data + size_t(rows) * columns);
    return "";
}

} // namespace dcmshim
