// DICOM-SEG writer of the shim (see dcmshim_seg.h).
//
// dcmseg builds the document skeleton (patient/study/frame-of-reference import, equipment, content
// identification, segment descriptions, dimension index, shared functional groups) with one placeholder
// frame. Its per-frame API copies every functional group per frame and keeps each frame as a separate
// buffer, so the per-frame functional groups and the pixel data are then built directly with dcmdata:
// one item per frame and one preallocated, bit-packed PixelData buffer that the label map is packed into.
#include "dcmshim_internal.hpp"
#include "dcmshim_seg.h"

#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmfg/fgderimg.h"
#include "dcmtk/dcmfg/fgfracon.h"
#include "dcmtk/dcmfg/fgpixmsr.h"
#include "dcmtk/dcmfg/fgplanor.h"
#include "dcmtk/dcmfg/fgplanpo.h"
#include "dcmtk/dcmiod/iodmacro.h"
#include "dcmtk/dcmseg/segdoc.h"
#include "dcmtk/dcmseg/segment.h"

#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <unistd.h>

namespace {

struct SegFailure {
    int code;
    std::string message;
};

std::string str(const char *s) { return s ? std::string(s) : std::string(); }

void check(const OFCondition &cond, const std::string &what) {
    if (cond.bad()) throw SegFailure{DCMSHIM_ERR_SEG_WRITE, what + ": " + cond.text()};
}

void input(bool ok, const std::string &message) {
    if (!ok) throw SegFailure{DCMSHIM_ERR_SEG_INPUT, message};
}

/// A decimal string (DS, at most 16 characters) that round-trips the value as closely as 16 characters allow.
std::string ds(double v) {
    char buf[64];
    for (int precision = 15; precision > 0; --precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, v);
        if (std::strlen(buf) <= 16) return buf;
    }
    return "0";
}

std::string newUID(const char *root) {
    char buf[100];
    dcmGenerateUniqueIdentifier(buf, root);
    return buf;
}

void putCode(DcmItem *item, const char *value, const char *scheme, const char *meaning) {
    check(item->putAndInsertString(DCM_CodeValue, value), "CodeValue");
    check(item->putAndInsertString(DCM_CodingSchemeDesignator, scheme), "CodingSchemeDesignator");
    check(item->putAndInsertString(DCM_CodeMeaning, meaning), "CodeMeaning");
}

struct FrameRef {
    uint16_t segment;  // 1-based segment number
    uint32_t slice;    // 0-based slice
};

void validate(const dcmshim_seg_write_params &p) {
    input(p.rows > 0 && p.columns > 0 && p.slices > 0, "rows, columns and slices must be positive");
    input(p.labels != nullptr && p.label_count == size_t(p.rows) * p.columns * p.slices,
          "the label map does not have rows*columns*slices values");
    input(p.sources != nullptr, "no source frames given");
    input(p.segment_count >= 1 && p.segment_count <= 255 && p.segments != nullptr, "1 to 255 segments are needed");
    input(!str(p.source_series_instance_uid).empty(), "the source series has no SeriesInstanceUID");
    input(p.pixel_spacing[0] > 0 && p.pixel_spacing[1] > 0 && p.slice_thickness > 0,
          "pixel spacing and slice thickness must be positive");
    for (uint32_t k = 0; k < p.slices; ++k) {
        const dcmshim_seg_source &s = p.sources[k];
        input(!str(s.path).empty(), "source " + std::to_string(k) + " has no path");
        input(!str(s.sop_class_uid).empty() && !str(s.sop_instance_uid).empty(),
              "source " + std::to_string(k) + " has an empty SOPClassUID or SOPInstanceUID");
    }
    bool seen[256] = {false};
    for (uint32_t i = 0; i < p.segment_count; ++i) {
        const dcmshim_seg_segment &s = p.segments[i];
        input(s.label != 0 && !seen[s.label], "segment labels must be 1..255 and unique");
        seen[s.label] = true;
        input(!str(s.label_text).empty(), "segment " + std::to_string(i + 1) + " has no label text");
        input(!str(s.category.value).empty() && !str(s.type.value).empty(),
              "segment " + std::to_string(i + 1) + " needs a category and a type code");
        input(!str(s.algorithm_name).empty() && !str(s.algorithm_version).empty(),
              "segment " + std::to_string(i + 1) + " needs an algorithm name and version");
    }
}

bool nonASCII(const char *s) {
    for (; s && *s; ++s) if (static_cast<unsigned char>(*s) >= 0x80) return true;
    return false;
}

/// Whether any text we write (descriptions, names, labels, codes) needs more than ASCII.
bool hasNonASCIIText(const dcmshim_seg_write_params &p) {
    if (nonASCII(p.series_description) || nonASCII(p.content_creator) || nonASCII(p.manufacturer) ||
        nonASCII(p.model_name) || nonASCII(p.software_version) || nonASCII(p.device_serial))
        return true;
    for (uint32_t i = 0; i < p.segment_count; ++i) {
        const dcmshim_seg_segment &s = p.segments[i];
        if (nonASCII(s.label_text) || nonASCII(s.algorithm_name) || nonASCII(s.algorithm_version) ||
            nonASCII(s.category.meaning) || nonASCII(s.type.meaning) || nonASCII(s.anatomic_region.meaning))
            return true;
    }
    return false;
}

/// The dcmseg document with everything but the frames (one placeholder frame, replaced later).
std::unique_ptr<DcmSegmentation> skeleton(const dcmshim_seg_write_params &p, const std::string &seriesUID,
                                          const std::string &sopUID) {
    ContentIdentificationMacro *ciRaw = nullptr;
    std::string label = str(p.content_label).empty() ? "SEGMENTATION" : str(p.content_label);
    check(ContentIdentificationMacro::create("1", label, "segmentation", str(p.content_creator), ciRaw),
          "content identification");
    std::unique_ptr<ContentIdentificationMacro> ci(ciRaw);
    IODGeneralEquipmentModule::EquipmentInfo equipment(str(p.manufacturer), str(p.model_name),
                                                          str(p.device_serial), str(p.software_version));
    DcmSegmentation *raw = nullptr;
    check(DcmSegmentation::createBinarySegmentation(raw, p.rows, p.columns, equipment, *ci), "create segmentation");
    std::unique_ptr<DcmSegmentation> seg(raw);
    seg->setCheckFGOnWrite(OFFalse);
    seg->setCheckDimensionsOnWrite(OFFalse);

    if (hasNonASCIIText(p)) {
        // Our texts are UTF-8: bring the source's patient/study strings to UTF-8 too (SpecificCharacterSet
        // ISO_IR 192), so that one character set fits every string of the SEG.
        DcmFileFormat source;
        check(source.loadFile(str(p.sources[0].path).c_str()), "reading the source");
        check(source.getDataset()->convertToUTF8(), "converting the source's strings to UTF-8");
        check(seg->importFromSourceImage(*source.getDataset()), "import patient/study from the source");
    } else {
        check(seg->importFromSourceImage(str(p.sources[0].path)), "import patient/study from the source");
    }
    check(seg->getSeries().setSeriesInstanceUID(seriesUID), "SeriesInstanceUID");
    check(seg->getSeries().setSeriesNumber(std::to_string(p.series_number)), "SeriesNumber");
    check(seg->getSOPCommon().setSOPInstanceUID(sopUID), "SOPInstanceUID");

    std::string dimUID = newUID(SITE_INSTANCE_UID_ROOT);
    check(seg->getDimensions().addDimensionIndex(DCM_ReferencedSegmentNumber, dimUID,
                                                  DCM_SegmentIdentificationSequence, "ReferencedSegmentNumber"),
          "dimension index (segment)");
    check(seg->getDimensions().addDimensionIndex(DCM_ImagePositionPatient, dimUID, DCM_PlanePositionSequence,
                                                  "ImagePositionPatient"),
          "dimension index (position)");

    FGPixelMeasures measures;
    check(measures.setPixelSpacing(ds(p.pixel_spacing[0]) + "\\" + ds(p.pixel_spacing[1])), "PixelSpacing");
    check(measures.setSliceThickness(ds(p.slice_thickness)), "SliceThickness");
    if (p.slices > 1 && p.spacing_between_slices > 0)
        check(measures.setSpacingBetweenSlices(ds(p.spacing_between_slices)), "SpacingBetweenSlices");
    check(seg->addForAllFrames(measures), "pixel measures");
    std::unique_ptr<FGPlaneOrientationPatient> orientation(FGPlaneOrientationPatient::createMinimal(
        ds(p.orientation[0]), ds(p.orientation[1]), ds(p.orientation[2]), ds(p.orientation[3]),
        ds(p.orientation[4]), ds(p.orientation[5])));
    if (!orientation) throw SegFailure{DCMSHIM_ERR_SEG_WRITE, "could not create the plane orientation"};
    check(seg->addForAllFrames(*orientation), "plane orientation");

    for (uint32_t i = 0; i < p.segment_count; ++i) {
        const dcmshim_seg_segment &s = p.segments[i];
        CodeSequenceMacro category(str(s.category.value), str(s.category.scheme), str(s.category.meaning));
        CodeSequenceMacro type(str(s.type.value), str(s.type.scheme), str(s.type.meaning));
        DcmSegment *segment = nullptr;
        // dcmseg accepts only ASCII labels; the real (possibly UTF-8) label is patched in after writeDataset.
        check(DcmSegment::create(segment, "segment", category, type, DcmSegTypes::SAT_AUTOMATIC,
                                 str(s.algorithm_name)),
              "segment " + std::to_string(i + 1));
        std::unique_ptr<DcmSegment> owned(segment);
        check(segment->setRecommendedDisplayCIELabValue(s.cielab[0], s.cielab[1], s.cielab[2]), "CIELab colour");
        if (!str(s.anatomic_region.value).empty())
            check(segment->getGeneralAnatomyCode().getAnatomicRegion().set(
                      str(s.anatomic_region.value), str(s.anatomic_region.scheme), str(s.anatomic_region.meaning)),
                  "anatomic region");
        AlgorithmIdentificationMacro &algorithm = segment->getSegmentationAlgorithmIdentification();
        check(algorithm.getAlgorithmFamilyCode().set("123110", "DCM", "Artificial Intelligence"), "algorithm family");
        check(algorithm.setAlgorithmName(str(s.algorithm_name)), "AlgorithmName");
        check(algorithm.setAlgorithmVersion(str(s.algorithm_version)), "AlgorithmVersion");
        Uint16 number = 0;
        check(seg->addSegment(owned.get(), number), "add segment");
        owned.release();
        if (number != i + 1) throw SegFailure{DCMSHIM_ERR_SEG_WRITE, "unexpected segment numbering"};
    }

    // Placeholder frames (dcmseg wants at least one per segment) so that dcmseg writes a complete document;
    // they are replaced by the real frames.
    std::vector<Uint8> empty(size_t(p.rows) * p.columns, 0);
    std::unique_ptr<FGPlanePosPatient> position(FGPlanePosPatient::createMinimal(
        ds(p.sources[0].position[0]), ds(p.sources[0].position[1]), ds(p.sources[0].position[2])));
    for (uint32_t i = 0; i < p.segment_count; ++i) {
        FGFrameContent content;
        check(content.setDimensionIndexValues(i + 1, 0), "dimension index value");
        check(content.setDimensionIndexValues(1, 1), "dimension index value");
        OFVector<FGBase *> groups;
        groups.push_back(position.get());
        groups.push_back(&content);
        check(seg->addFrame(empty.data(), Uint16(i + 1), groups), "placeholder frame");
    }
    return seg;
}

/// One PerFrameFunctionalGroupsSequence item.
DcmItem *frameItem(const dcmshim_seg_write_params &p, const FrameRef &f) {
    std::unique_ptr<DcmItem> item(new DcmItem());
    const dcmshim_seg_source &src = p.sources[f.slice];

    DcmItem *derivation = nullptr, *source = nullptr, *purpose = nullptr, *code = nullptr;
    check(item->findOrCreateSequenceItem(DCM_DerivationImageSequence, derivation, 0), "DerivationImageSequence");
    check(derivation->findOrCreateSequenceItem(DCM_SourceImageSequence, source, 0), "SourceImageSequence");
    check(source->putAndInsertString(DCM_ReferencedSOPClassUID, src.sop_class_uid), "ReferencedSOPClassUID");
    check(source->putAndInsertString(DCM_ReferencedSOPInstanceUID, src.sop_instance_uid), "ReferencedSOPInstanceUID");
    if (src.frame_number > 0)
        check(source->putAndInsertString(DCM_ReferencedFrameNumber, std::to_string(src.frame_number).c_str()),
              "ReferencedFrameNumber");
    check(source->findOrCreateSequenceItem(DCM_PurposeOfReferenceCodeSequence, purpose, 0), "purpose");
    putCode(purpose, "121322", "DCM", "Source image for image processing operation");
    check(source->putAndInsertString(DCM_SpatialLocationsPreserved, "YES"), "SpatialLocationsPreserved");
    check(derivation->findOrCreateSequenceItem(DCM_DerivationCodeSequence, code, 0), "DerivationCodeSequence");
    putCode(code, "113076", "DCM", "Segmentation");

    DcmItem *content = nullptr, *plane = nullptr, *segment = nullptr;
    check(item->findOrCreateSequenceItem(DCM_FrameContentSequence, content, 0), "FrameContentSequence");
    const Uint32 index[2] = {f.segment, f.slice + 1};
    check(content->putAndInsertUint32Array(DCM_DimensionIndexValues, index, 2), "DimensionIndexValues");
    check(item->findOrCreateSequenceItem(DCM_PlanePositionSequence, plane, 0), "PlanePositionSequence");
    std::string ipp = ds(src.position[0]) + "\\" + ds(src.position[1]) + "\\" + ds(src.position[2]);
    check(plane->putAndInsertString(DCM_ImagePositionPatient, ipp.c_str()), "ImagePositionPatient");
    check(item->findOrCreateSequenceItem(DCM_SegmentIdentificationSequence, segment, 0), "SegmentIdentification");
    check(segment->putAndInsertUint16(DCM_ReferencedSegmentNumber, f.segment), "ReferencedSegmentNumber");
    return item.release();
}

/// ReferencedSeriesSequence (Common Instance Reference): every distinct source instance, once.
void addReferencedSeries(DcmItem &dataset, const dcmshim_seg_write_params &p) {
    dataset.findAndDeleteElement(DCM_ReferencedSeriesSequence);
    dataset.findAndDeleteElement(DCM_StudiesContainingOtherReferencedInstancesSequence);
    DcmItem *series = nullptr;
    check(dataset.findOrCreateSequenceItem(DCM_ReferencedSeriesSequence, series, 0), "ReferencedSeriesSequence");
    check(series->putAndInsertString(DCM_SeriesInstanceUID, p.source_series_instance_uid), "SeriesInstanceUID");
    std::unique_ptr<DcmSequenceOfItems> instances(new DcmSequenceOfItems(DCM_ReferencedInstanceSequence));
    std::vector<std::string> seen;
    for (uint32_t k = 0; k < p.slices; ++k) {
        std::string uid = p.sources[k].sop_instance_uid;
        bool duplicate = false;
        // Multi-frame sources repeat the same instance for consecutive slices; check the recent ones cheaply.
        for (auto it = seen.rbegin(); it != seen.rend(); ++it) if (*it == uid) { duplicate = true; break; }
        if (duplicate) continue;
        seen.push_back(uid);
        std::unique_ptr<DcmItem> item(new DcmItem());
        check(item->putAndInsertString(DCM_ReferencedSOPClassUID, p.sources[k].sop_class_uid), "ReferencedSOPClassUID");
        check(item->putAndInsertString(DCM_ReferencedSOPInstanceUID, uid.c_str()), "ReferencedSOPInstanceUID");
        check(instances->append(item.release()), "ReferencedInstanceSequence");
    }
    check(series->insert(instances.release(), OFTrue), "ReferencedInstanceSequence");
}

void writeAtomically(DcmFileFormat &file, const std::string &path) {
    std::string tmp = path + ".tmp";
    errno = 0;
    OFCondition cond = file.saveFile(tmp.c_str(), EXS_LittleEndianExplicit, EET_ExplicitLength, EGL_recalcGL,
                                     EPD_withoutPadding, 0, 0, EWM_createNewMeta);
    if (cond.bad()) {
        int e = errno;
        ::unlink(tmp.c_str());
        throw SegFailure{DCMSHIM_ERR_SEG_IO, "could not write " + tmp + ": " + cond.text() +
                                             (e != 0 ? std::string(" (") + std::strerror(e) + ")" : std::string())};
    }
    int fd = ::open(tmp.c_str(), O_RDONLY);
    if (fd < 0 || ::fsync(fd) != 0) {
        if (fd >= 0) ::close(fd);
        ::unlink(tmp.c_str());
        throw SegFailure{DCMSHIM_ERR_SEG_IO, "could not fsync " + tmp + ": " + std::strerror(errno)};
    }
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        throw SegFailure{DCMSHIM_ERR_SEG_IO, "could not rename " + tmp + " to " + path + ": " + std::strerror(e)};
    }
    std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
    if (dir.empty()) dir = "/";
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) { ::fsync(dfd); ::close(dfd); }
}

void writeSEG(const dcmshim_seg_write_params &p, const std::string &path, dcmshim_seg_write_result &result) {
    validate(p);
    const size_t pixels = size_t(p.rows) * p.columns;

    // Pass 1: which labels occur in which slice, and voxel counts.
    std::memset(result.voxel_counts, 0, sizeof result.voxel_counts);
    std::vector<uint8_t> present(size_t(p.slices) * 256, 0);
    for (uint32_t k = 0; k < p.slices; ++k) {
        uint64_t counts[256] = {0};
        const uint8_t *slice = p.labels + k * pixels;
        for (size_t i = 0; i < pixels; ++i) counts[slice[i]]++;
        for (int l = 0; l < 256; ++l) {
            result.voxel_counts[l] += counts[l];
            present[size_t(k) * 256 + l] = counts[l] > 0;
        }
    }

    // Frames: segment by segment, slices in order; empty ones omitted unless asked for.
    std::vector<FrameRef> frames;
    std::vector<int64_t> frameOf(size_t(p.slices) * 256, -1);
    for (uint32_t s = 0; s < p.segment_count; ++s) {
        uint8_t label = p.segments[s].label;
        for (uint32_t k = 0; k < p.slices; ++k) {
            if (!p.keep_empty_frames && !present[size_t(k) * 256 + label]) continue;
            frameOf[size_t(k) * 256 + label] = int64_t(frames.size());
            frames.push_back({uint16_t(s + 1), k});
        }
    }
    // A SEG needs at least one frame: with every segment empty, write the first slice of segment 1 (empty).
    if (frames.empty()) frames.push_back({1, 0});

    std::string seriesUID = newUID(SITE_SERIES_UID_ROOT);
    std::string sopUID = newUID(SITE_INSTANCE_UID_ROOT);
    std::unique_ptr<DcmSegmentation> seg = skeleton(p, seriesUID, sopUID);
    DcmFileFormat file;
    DcmDataset &dataset = *file.getDataset();
    check(seg->writeDataset(dataset), "dcmseg could not write the document");
    if (hasNonASCIIText(p)) check(dataset.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192"), "charset");
    // Texts dcmseg would only take as ASCII: set here, as given (UTF-8 when SpecificCharacterSet says so).
    if (!str(p.series_description).empty()) {
        check(dataset.putAndInsertString(DCM_SeriesDescription, p.series_description), "SeriesDescription");
        check(dataset.putAndInsertString(DCM_ContentDescription, p.series_description), "ContentDescription");
    }
    for (uint32_t i = 0; i < p.segment_count; ++i) {
        DcmItem *item = nullptr;
        check(dataset.findAndGetSequenceItem(DCM_SegmentSequence, item, int(i)), "SegmentSequence");
        check(item->putAndInsertString(DCM_SegmentLabel, p.segments[i].label_text), "SegmentLabel");
    }
    seg.reset();

    // Per-frame functional groups, built directly.
    dataset.findAndDeleteElement(DCM_PerFrameFunctionalGroupsSequence);
    std::unique_ptr<DcmSequenceOfItems> perFrame(new DcmSequenceOfItems(DCM_PerFrameFunctionalGroupsSequence));
    for (const FrameRef &f : frames) check(perFrame->append(frameItem(p, f)), "per-frame item");
    check(dataset.insert(perFrame.release(), OFTrue), "PerFrameFunctionalGroupsSequence");
    check(dataset.putAndInsertString(DCM_NumberOfFrames, std::to_string(frames.size()).c_str()), "NumberOfFrames");
    addReferencedSeries(dataset, p);

    OFString date, time;
    DcmDate::getCurrentDate(date);
    DcmTime::getCurrentTime(time);
    check(dataset.putAndInsertOFStringArray(DCM_ContentDate, date), "ContentDate");
    check(dataset.putAndInsertOFStringArray(DCM_ContentTime, time), "ContentTime");
    if (!dataset.tagExistsWithValue(DCM_SeriesDate)) {
        dataset.putAndInsertOFStringArray(DCM_SeriesDate, date);
        dataset.putAndInsertOFStringArray(DCM_SeriesTime, time);
    }

    // Pixel data: one zeroed buffer, frames packed back to back (bit i of the stream = pixel i, LSB first).
    size_t bytes = (frames.size() * pixels + 7) / 8;
    bytes += bytes & 1;
    DcmElement *element = nullptr;
    check(dataset.findAndGetElement(DCM_PixelData, element), "PixelData");
    DcmPolymorphOBOW *pixelData = OFdynamic_cast(DcmPolymorphOBOW *, element);
    if (!pixelData) throw SegFailure{DCMSHIM_ERR_SEG_WRITE, "PixelData has an unexpected type"};
    Uint8 *buffer = nullptr;
    check(pixelData->createUint8Array(Uint32(bytes), buffer), "allocating PixelData");
    std::memset(buffer, 0, bytes);
    for (uint32_t k = 0; k < p.slices; ++k) {
        const uint8_t *slice = p.labels + k * pixels;
        const int64_t *slot = &frameOf[size_t(k) * 256];
        for (size_t i = 0; i < pixels; ++i) {
            uint8_t l = slice[i];
            if (l == 0) continue;
            int64_t f = slot[l];
            if (f < 0) continue;
            size_t bit = size_t(f) * pixels + i;
            buffer[bit >> 3] |= Uint8(1u << (bit & 7));
        }
    }

    writeAtomically(file, path);
    result.frames = uint32_t(frames.size());
    dcmshim::copyOut(seriesUID, result.series_instance_uid, sizeof result.series_instance_uid);
    dcmshim::copyOut(sopUID, result.sop_instance_uid, sizeof result.sop_instance_uid);
}

} // namespace

extern "C" int dcmshim_seg_write(const dcmshim_seg_write_params *params, const char *path,
                                 dcmshim_seg_write_result *result, dcmshim_error *err) {
    try {
        if (!params || !path || !result) return dcmshim::fail(err, DCMSHIM_ERR_ARGUMENT, "null argument");
        if (dcmshim_init(err) != 0) return err ? err->code : DCMSHIM_ERR_INIT;
        std::memset(result, 0, sizeof *result);
        writeSEG(*params, path, *result);
        return dcmshim::ok(err);
    } catch (const SegFailure &f) {
        return dcmshim::fail(err, f.code, f.message);
    } catch (const std::bad_alloc &) {
        return dcmshim::fail(err, DCMSHIM_ERR_INTERNAL, "out of memory while writing the SEG");
    } catch (...) {
        return dcmshim::fail(err, DCMSHIM_ERR_INTERNAL, "unexpected exception while writing the SEG");
    }
}
