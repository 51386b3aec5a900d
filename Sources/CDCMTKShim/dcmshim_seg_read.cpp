// DICOM-SEG reader of the shim (see dcmshim_seg.h): plain dcmdata, so that SEGs from any writer are read.
#include "dcmshim_internal.hpp"
#include "dcmshim_seg.h"

#include <cstring>
#include <memory>
#include <utility>

struct dcmshim_seg {
    dcmshim::HandleCount counted;
    DcmFileFormat format;
    DcmDataset *dataset = nullptr;
    uint32_t rows = 0, columns = 0, frames = 0;
    uint16_t bitsAllocated = 1;
    const Uint8 *pixels = nullptr;
    unsigned long pixelBytes = 0;
    DcmSequenceOfItems *perFrame = nullptr;
    DcmItem *shared = nullptr;
    DcmSequenceOfItems *segments = nullptr;
    std::vector<std::pair<std::string, std::string>> references;  // instance UID, class UID
};

namespace {

const char *kSegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4";

std::string getString(DcmItem *item, const DcmTagKey &tag) {
    OFString value;
    if (item && item->findAndGetOFStringArray(tag, value).good()) return value.c_str();
    return "";
}

/// First item of `sequence` inside `item`, or null.
DcmItem *firstItem(DcmItem *item, const DcmTagKey &sequence) {
    DcmItem *out = nullptr;
    if (item && item->findAndGetSequenceItem(sequence, out, 0).good()) return out;
    return nullptr;
}

/// `tag` inside the first item of `macro` of a per-frame item, falling back to the shared groups.
DcmItem *macroItem(dcmshim_seg *seg, DcmItem *frameItem, const DcmTagKey &macro, const DcmTagKey &tag) {
    DcmItem *item = firstItem(frameItem, macro);
    if (item && item->tagExists(tag)) return item;
    item = firstItem(seg->shared, macro);
    if (item && item->tagExists(tag)) return item;
    return nullptr;
}

void readCode(DcmItem *item, const DcmTagKey &sequence, dcmshim_seg_code_out &out) {
    DcmItem *code = firstItem(item, sequence);
    dcmshim::copyOut(getString(code, DCM_CodingSchemeDesignator), out.scheme, sizeof out.scheme);
    dcmshim::copyOut(getString(code, DCM_CodeValue), out.value, sizeof out.value);
    dcmshim::copyOut(getString(code, DCM_CodeMeaning), out.meaning, sizeof out.meaning);
}

void collectReferences(DcmItem *item, std::vector<std::pair<std::string, std::string>> &out) {
    DcmSequenceOfItems *series = nullptr;
    if (item->findAndGetSequence(DCM_ReferencedSeriesSequence, series).bad() || !series) return;
    for (unsigned long s = 0; s < series->card(); ++s) {
        DcmSequenceOfItems *instances = nullptr;
        if (series->getItem(s)->findAndGetSequence(DCM_ReferencedInstanceSequence, instances).bad() || !instances)
            continue;
        for (unsigned long i = 0; i < instances->card(); ++i) {
            DcmItem *ref = instances->getItem(i);
            out.emplace_back(getString(ref, DCM_ReferencedSOPInstanceUID), getString(ref, DCM_ReferencedSOPClassUID));
        }
    }
}

int openSEG(dcmshim_seg *seg, const char *path, dcmshim_error *err) {
    // The same bounded read as images (ingest.maxHeaderSize, zero runs): a junk file named like a SEG costs
    // a bounded amount of work; values over 4 KiB (the frames) are read when used.
    if (int rc = dcmshim::loadHeader(seg->format, path, 0, err); rc != DCMSHIM_OK) return rc;
    seg->dataset = seg->format.getDataset();
    DcmDataset *ds = seg->dataset;
    if (getString(ds, DCM_SOPClassUID) != kSegmentationStorage)
        return dcmshim::fail(err, DCMSHIM_ERR_SEG_NOT_SEG, "not a DICOM Segmentation (SOPClassUID is '" +
                                                               getString(ds, DCM_SOPClassUID) + "')");
    if (ds->chooseRepresentation(EXS_LittleEndianExplicit, nullptr).bad() ||
        !ds->canWriteXfer(EXS_LittleEndianExplicit))
        return dcmshim::fail(err, DCMSHIM_ERR_DECODE, "the SEG pixel data cannot be decompressed");
    Uint16 rows = 0, columns = 0, bits = 0;
    ds->findAndGetUint16(DCM_Rows, rows);
    ds->findAndGetUint16(DCM_Columns, columns);
    ds->findAndGetUint16(DCM_BitsAllocated, bits);
    Sint32 frames = 1;
    ds->findAndGetSint32(DCM_NumberOfFrames, frames);
    if (rows == 0 || columns == 0 || frames < 1 || (bits != 1 && bits != 8))
        return dcmshim::fail(err, DCMSHIM_ERR_SEG_NOT_SEG, "unsupported SEG pixel module (BitsAllocated " +
                                                               std::to_string(bits) + ")");
    seg->rows = rows;
    seg->columns = columns;
    seg->frames = uint32_t(frames);
    seg->bitsAllocated = bits;
    if (ds->findAndGetUint8Array(DCM_PixelData, seg->pixels, &seg->pixelBytes).bad() || !seg->pixels)
        return dcmshim::fail(err, DCMSHIM_ERR_NO_PIXELS, "the SEG has no pixel data");
    size_t needed = bits == 1 ? (size_t(rows) * columns * frames + 7) / 8 : size_t(rows) * columns * frames;
    if (seg->pixelBytes < needed)
        return dcmshim::fail(err, DCMSHIM_ERR_READ, "the SEG pixel data is shorter than its frames need");
    ds->findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, seg->perFrame);
    seg->shared = firstItem(ds, DCM_SharedFunctionalGroupsSequence);
    ds->findAndGetSequence(DCM_SegmentSequence, seg->segments);
    if (!seg->segments || seg->segments->card() == 0)
        return dcmshim::fail(err, DCMSHIM_ERR_SEG_NOT_SEG, "the SEG has no SegmentSequence");
    collectReferences(ds, seg->references);
    DcmSequenceOfItems *studies = nullptr;
    if (ds->findAndGetSequence(DCM_StudiesContainingOtherReferencedInstancesSequence, studies).good() && studies)
        for (unsigned long i = 0; i < studies->card(); ++i) collectReferences(studies->getItem(i), seg->references);
    return dcmshim::ok(err);
}

} // namespace

extern "C" dcmshim_seg *dcmshim_seg_open(const char *path, dcmshim_error *err) {
    try {
        if (!path) { dcmshim::fail(err, DCMSHIM_ERR_ARGUMENT, "null path"); return nullptr; }
        if (dcmshim_init(err) != 0) return nullptr;
        auto seg = std::make_unique<dcmshim_seg>();  // not leaked if DCMTK throws
        if (openSEG(seg.get(), path, err) != 0) return nullptr;
        return seg.release();
    } catch (...) {
        dcmshim::fail(err, DCMSHIM_ERR_INTERNAL, "unexpected exception while reading the SEG");
        return nullptr;
    }
}

extern "C" void dcmshim_seg_close(dcmshim_seg *seg) {
    try { delete seg; } catch (...) {}
}

extern "C" int dcmshim_seg_get_info(dcmshim_seg *seg, dcmshim_seg_info *info, dcmshim_error *err) {
    try {
        if (!seg || !info) return dcmshim::fail(err, DCMSHIM_ERR_ARGUMENT, "null argument");
        std::memset(info, 0, sizeof *info);
        DcmDataset *ds = seg->dataset;
        info->rows = seg->rows;
        info->columns = seg->columns;
        info->frames = seg->frames;
        info->segment_count = uint32_t(seg->segments->card());
        info->fractional = getString(ds, DCM_SegmentationType) == "FRACTIONAL";
        DcmItem *first = seg->perFrame && seg->perFrame->card() > 0 ? seg->perFrame->getItem(0) : nullptr;
        if (DcmItem *o = macroItem(seg, first, DCM_PlaneOrientationSequence, DCM_ImageOrientationPatient)) {
            info->has_orientation = 1;
            for (unsigned long i = 0; i < 6; ++i) o->findAndGetFloat64(DCM_ImageOrientationPatient, info->orientation[i], i);
        }
        if (DcmItem *m = macroItem(seg, first, DCM_PixelMeasuresSequence, DCM_PixelSpacing)) {
            m->findAndGetFloat64(DCM_PixelSpacing, info->pixel_spacing[0], 0);
            m->findAndGetFloat64(DCM_PixelSpacing, info->pixel_spacing[1], 1);
            m->findAndGetFloat64(DCM_SliceThickness, info->slice_thickness);
            m->findAndGetFloat64(DCM_SpacingBetweenSlices, info->spacing_between_slices);
        }
        dcmshim::copyOut(getString(ds, DCM_SOPClassUID), info->sop_class_uid, sizeof info->sop_class_uid);
        dcmshim::copyOut(getString(ds, DCM_SOPInstanceUID), info->sop_instance_uid, sizeof info->sop_instance_uid);
        dcmshim::copyOut(getString(ds, DCM_SeriesInstanceUID), info->series_instance_uid, sizeof info->series_instance_uid);
        dcmshim::copyOut(getString(ds, DCM_StudyInstanceUID), info->study_instance_uid, sizeof info->study_instance_uid);
        dcmshim::copyOut(getString(ds, DCM_FrameOfReferenceUID), info->frame_of_reference_uid,
                         sizeof info->frame_of_reference_uid);
        dcmshim::copyOut(DcmXfer(seg->format.getDataset()->getOriginalXfer()).getXferID(), info->transfer_syntax,
                         sizeof info->transfer_syntax);
        dcmshim::copyOut(getString(ds, DCM_Manufacturer), info->manufacturer, sizeof info->manufacturer);
        dcmshim::copyOut(getString(ds, DCM_SeriesDescription), info->series_description, sizeof info->series_description);
        info->referenced_instances = uint32_t(seg->references.size());
        return dcmshim::ok(err);
    } catch (...) {
        return dcmshim::fail(err, DCMSHIM_ERR_INTERNAL, "unexpected exception while reading the SEG");
    }
}

extern "C" int dcmshim_seg_get_segment(dcmshim_seg *seg, uint32_t index, dcmshim_seg_segment_info *out,
                                       dcmshim_error *err) {
    try {
        if (!seg || !out) return dcmshim::fail(err, DCMSHIM_ERR_ARGUMENT, "null argument");
        if (index >= seg->segments->card()) return dcmshim::fail(err, DCMSHIM_ERR_ARGUMENT, "segment index out of range");
        std::memset(out, 0, sizeof *out);
        DcmItem *item = seg->segments->getItem(index);
        Uint16 number = 0;
        item->findAndGetUint16(DCM_SegmentNumber, number);
        out->number = number;
        dcmshim::copyOut(getString(item, DCM_SegmentLabel), out->label, sizeof out->label);
        dcmshim::copyOut(getString(item, DCM_SegmentAlgorithmType), out->algorithm_type, sizeof out->algorithm_type);
        dcmshim::copyOut(getString(item, DCM_SegmentAlgorithmName), out->algorithm_name, sizeof out->algorithm_name);
        readCode(item, DCM_SegmentedPropertyCategoryCodeSequence, out->category);
        readCode(item, DCM_SegmentedPropertyTypeCodeSequence, out->type);
        readCode(item, DCM_AnatomicRegionSequence, out->anatomic_region);
        Uint16 lab[3] = {0, 0, 0};
        bool has = true;
        for (unsigned long i = 0; i < 3; ++i)
            has = has && item->findAndGetUint16(DCM_RecommendedDisplayCIELabValue, lab[i], i).good();
        if (has) {
            out->has_cielab = 1;
            for (int i = 0; i < 3; ++i) out->cielab[i] = lab[i];
        }
        return dcmshim::ok(err);
    } catch (...) {
        return dcmshim::fail(err, DCMSHIM_ERR_INTERNAL, "unexpected exception while reading a segment");
    }
}

extern "C" int dcmshim_seg_get_frame(dcmshim_seg *seg, uint32_t frame, dcmshim_seg_frame_info *out,
                                     dcmshim_error *err) {
    try {
        if (!seg || !out) return dcmshim::fail(err, DCMSHIM_ERR_ARGUMENT, "null argument");
        if (frame >= seg->frames) return dcmshim::fail(err, DCMSHIM_ERR_ARGUMENT, "frame out of range");
        std::memset(out, 0, sizeof *out);
        DcmItem *item = seg->perFrame && frame < seg->perFrame->card() ? seg->perFrame->getItem(frame) : nullptr;
        if (DcmItem *s = macroItem(seg, item, DCM_SegmentIdentificationSequence, DCM_ReferencedSegmentNumber)) {
            Uint16 n = 0;
            s->findAndGetUint16(DCM_ReferencedSegmentNumber, n);
            out->segment_number = n;
        }
        if (DcmItem *p = macroItem(seg, item, DCM_PlanePositionSequence, DCM_ImagePositionPatient)) {
            out->has_position = 1;
            for (unsigned long i = 0; i < 3; ++i) p->findAndGetFloat64(DCM_ImagePositionPatient, out->position[i], i);
        }
        DcmItem *source = firstItem(firstItem(item, DCM_DerivationImageSequence), DCM_SourceImageSequence);
        if (source) {
            dcmshim::copyOut(getString(source, DCM_ReferencedSOPInstanceUID), out->referenced_sop_instance_uid,
                             sizeof out->referenced_sop_instance_uid);
            dcmshim::copyOut(getString(source, DCM_ReferencedSOPClassUID), out->referenced_sop_class_uid,
                             sizeof out->referenced_sop_class_uid);
            Sint32 number = 0;
            if (source->findAndGetSint32(DCM_ReferencedFrameNumber, number).good() && number > 0)
                out->referenced_frame_number = uint32_t(number);
        }
        return dcmshim::ok(err);
    } catch (...) {
        return dcmshim::fail(err, DCMSHIM_ERR_INTERNAL, "unexpected exception while reading a frame");
    }
}

extern "C" int dcmshim_seg_get_referenced_instance(dcmshim_seg *seg, uint32_t index, char *sop_instance_uid,
                                                   char *sop_class_uid, dcmshim_error *err) {
    try {
        if (!seg) return dcmshim::fail(err, DCMSHIM_ERR_ARGUMENT, "null argument");
        if (index >= seg->references.size()) return dcmshim::fail(err, DCMSHIM_ERR_ARGUMENT, "reference out of range");
        dcmshim::copyOut(seg->references[index].first, sop_instance_uid, 65);
        dcmshim::copyOut(seg->references[index].second, sop_class_uid, 65);
        return dcmshim::ok(err);
    } catch (...) {
        return dcmshim::fail(err, DCMSHIM_ERR_INTERNAL, "unexpected exception while reading references");
    }
}

extern "C" int dcmshim_seg_get_frame_pixels(dcmshim_seg *seg, uint32_t frame, uint8_t *out, size_t count,
                                            dcmshim_error *err) {
    try {
        if (!seg || !out) return dcmshim::fail(err, DCMSHIM_ERR_ARGUMENT, "null argument");
        size_t pixels = size_t(seg->rows) * seg->columns;
        if (frame >= seg->frames || count < pixels)
            return dcmshim::fail(err, DCMSHIM_ERR_ARGUMENT, "frame out of range or buffer too small");
        if (seg->bitsAllocated == 8) {
            std::memcpy(out, seg->pixels + size_t(frame) * pixels, pixels);
        } else {
            size_t start = size_t(frame) * pixels;
            for (size_t i = 0; i < pixels; ++i) {
                size_t bit = start + i;
                out[i] = (seg->pixels[bit >> 3] >> (bit & 7)) & 1;
            }
        }
        return dcmshim::ok(err);
    } catch (...) {
        return dcmshim::fail(err, DCMSHIM_ERR_INTERNAL, "unexpected exception while unpacking a frame");
    }
}
