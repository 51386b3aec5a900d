// Opening files and reading header attributes (top level, file meta and functional groups).
#include "dcmshim_internal.hpp"

#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

using dcmshim::fail;
using dcmshim::tagKey;

namespace {

/// True if the file starts with a 128-byte preamble followed by "DICM".
int checkPreamble(const char *path, std::string &reason) {
    FILE *f = std::fopen(path, "rb");
    if (!f) {
        reason = std::string("cannot open the file: ") + std::strerror(errno);
        return DCMSHIM_ERR_READ;
    }
    unsigned char head[132];
    size_t n = std::fread(head, 1, sizeof(head), f);
    std::fclose(f);
    if (n == 0) {
        reason = "empty file (0 bytes)";
        return DCMSHIM_ERR_NOT_DICOM;
    }
    if (n < sizeof(head) || std::memcmp(head + 128, "DICM", 4) != 0) {
        reason = "not a DICOM Part 10 file (no 'DICM' marker after the 128-byte preamble)";
        return DCMSHIM_ERR_NOT_DICOM;
    }
    return DCMSHIM_OK;
}

int getStringFrom(DcmItem *item, uint32_t tag, char *buf, size_t cap) {
    if (!item) return 0;
    DcmElement *element = nullptr;
    if (item->findAndGetElement(tagKey(tag), element, OFFalse).bad() || !element) return 0;
    OFString value;
    if (element->getOFStringArray(value).bad()) value.clear();
    dcmshim::copyOut(value, buf, cap);
    return 1;
}

int getNumbersFrom(DcmItem *item, uint32_t tag, double *out, int cap) {
    if (!item) return 0;
    DcmElement *element = nullptr;
    if (item->findAndGetElement(tagKey(tag), element, OFFalse).bad() || !element) return 0;
    int count = 0;
    unsigned long vm = element->getVM();
    for (unsigned long i = 0; i < vm && count < cap; ++i) {
        Float64 value = 0;
        if (item->findAndGetFloat64(tagKey(tag), value, i, OFFalse).bad()) break;
        out[count++] = value;
    }
    return count;
}

/// The first item of `macro` inside item `index` of the sequence `group` (per-frame or shared groups).
DcmItem *macroItem(DcmDataset *dataset, const DcmTagKey &group, uint32_t index, uint32_t macro) {
    DcmItem *groupItem = nullptr;
    if (dataset->findAndGetSequenceItem(group, groupItem, int(index)).bad() || !groupItem) return nullptr;
    DcmItem *item = nullptr;
    if (groupItem->findAndGetSequenceItem(tagKey(macro), item, 0).bad()) return nullptr;
    return item;
}

} // namespace

extern "C" dcmshim_file *dcmshim_open(const char *path, dcmshim_error *err) {
    return dcmshim_open_limited(path, 0, err);
}

extern "C" dcmshim_file *dcmshim_open_limited(const char *path, uint64_t header_limit, dcmshim_error *err) {
    try {
        if (dcmshim_init(err) != 0) return nullptr;
        std::string reason;
        int code = checkPreamble(path, reason);
        if (code != DCMSHIM_OK) {
            fail(err, code, reason);
            return nullptr;
        }
        // Owned until returned: DCMTK can throw while parsing a corrupt file (std::out_of_range in
        // DcmByteString::verify on a bad directory record, found by the fuzzer), and the handle must not leak.
        auto file = std::make_unique<dcmshim_file>();
        file->path = path;
        if (dcmshim::loadHeader(file->format, file->path, header_limit, err) != DCMSHIM_OK) return nullptr;
        return file.release();
    } catch (const std::exception &e) {
        fail(err, DCMSHIM_ERR_READ, std::string("DCMTK failed while parsing the file (") + e.what() +
                                        "): it is corrupt; re-export it");
        return nullptr;
    } catch (...) {
        fail(err, DCMSHIM_ERR_INTERNAL, "unexpected exception while reading the file");
        return nullptr;
    }
}

extern "C" void dcmshim_close(dcmshim_file *file) {
    try {
        delete file;
    } catch (...) {
    }
}

extern "C" int dcmshim_get_string(dcmshim_file *file, uint32_t tag, char *buf, size_t cap) {
    try {
        return file ? getStringFrom(file->format.getDataset(), tag, buf, cap) : 0;
    } catch (...) {
        return 0;
    }
}

extern "C" int dcmshim_get_meta_string(dcmshim_file *file, uint32_t tag, char *buf, size_t cap) {
    try {
        return file ? getStringFrom(file->format.getMetaInfo(), tag, buf, cap) : 0;
    } catch (...) {
        return 0;
    }
}

extern "C" int dcmshim_get_numbers(dcmshim_file *file, uint32_t tag, double *out, int cap) {
    try {
        return file ? getNumbersFrom(file->format.getDataset(), tag, out, cap) : 0;
    } catch (...) {
        return 0;
    }
}

extern "C" int dcmshim_has_tag(dcmshim_file *file, uint32_t tag) {
    try {
        return file && file->format.getDataset()->tagExists(tagKey(tag), OFFalse) ? 1 : 0;
    } catch (...) {
        return 0;
    }
}

extern "C" int dcmshim_get_frame_numbers(dcmshim_file *file, uint32_t frame, uint32_t macro_tag, uint32_t tag,
                                         double *out, int cap) {
    try {
        if (!file) return 0;
        DcmDataset *ds = file->format.getDataset();
        int n = getNumbersFrom(macroItem(ds, DCM_PerFrameFunctionalGroupsSequence, frame, macro_tag), tag, out, cap);
        if (n > 0) return n;
        return getNumbersFrom(macroItem(ds, DCM_SharedFunctionalGroupsSequence, 0, macro_tag), tag, out, cap);
    } catch (...) {
        return 0;
    }
}

extern "C" int dcmshim_get_frame_string(dcmshim_file *file, uint32_t frame, uint32_t macro_tag, uint32_t tag,
                                        char *buf, size_t cap) {
    try {
        if (!file) return 0;
        DcmDataset *ds = file->format.getDataset();
        if (getStringFrom(macroItem(ds, DCM_PerFrameFunctionalGroupsSequence, frame, macro_tag), tag, buf, cap))
            return 1;
        return getStringFrom(macroItem(ds, DCM_SharedFunctionalGroupsSequence, 0, macro_tag), tag, buf, cap);
    } catch (...) {
        return 0;
    }
}
