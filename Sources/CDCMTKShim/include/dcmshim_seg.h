/*
 * dcmshim_seg.h: DICOM Segmentation (SEG) writing and reading over DCMTK, as a plain C API.
 *
 * Same rules as dcmshim.h: POD structs, a caller-provided dcmshim_error, no C++ exception escapes.
 * Strings passed in are NUL-terminated UTF-8 (ASCII for UIDs and codes); the shim copies them.
 *
 * Writing produces a BINARY Segmentation in Explicit VR Little Endian, uncompressed, bit-packed (frames are
 * packed back to back, as PS3.5 8.1.1 requires for BitsAllocated 1). The file is written as `path.tmp`,
 * fsync'ed and renamed to `path`, so `path` is either absent or complete.
 */
#ifndef DCMSHIM_SEG_H
#define DCMSHIM_SEG_H

#include <stddef.h>
#include <stdint.h>

#include "dcmshim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes used in addition to those of dcmshim.h. */
enum {
    DCMSHIM_ERR_SEG_INPUT = 20,    /* inconsistent writer input (sizes, labels, missing UIDs) */
    DCMSHIM_ERR_SEG_WRITE = 21,    /* DCMTK refused to build the SEG */
    DCMSHIM_ERR_SEG_NOT_SEG = 22,  /* the file read is not a DICOM Segmentation this reader handles */
    DCMSHIM_ERR_SEG_IO = 23        /* the file system failed saving the SEG (no space, no permission, I/O) */
};

/* A coded concept; an empty `value` means "absent" where the concept is optional. */
typedef struct dcmshim_code {
    const char *scheme;   /* CodingSchemeDesignator, e.g. "SCT" */
    const char *value;    /* CodeValue */
    const char *meaning;  /* CodeMeaning */
} dcmshim_code;

/* One source image plane, in slice order (slice k of the label map is sources[k]). */
typedef struct dcmshim_seg_source {
    const char *path;             /* file of the source instance (the first one is used for patient/study) */
    const char *sop_class_uid;
    const char *sop_instance_uid;
    uint32_t frame_number;        /* 1-based frame inside a multi-frame instance; 0 for single-frame */
    double position[3];           /* ImagePositionPatient of the plane (LPS mm) */
} dcmshim_seg_source;

/* One segment. Segment numbers in the SEG are 1..N in the order given; `label` is the label map value. */
typedef struct dcmshim_seg_segment {
    uint8_t label;                /* 1..255, unique */
    const char *label_text;       /* SegmentLabel */
    dcmshim_code category;        /* SegmentedPropertyCategoryCodeSequence */
    dcmshim_code type;            /* SegmentedPropertyTypeCodeSequence */
    dcmshim_code anatomic_region; /* AnatomicRegionSequence; value "" = none */
    uint16_t cielab[3];           /* RecommendedDisplayCIELabValue, DICOM-scaled 0..65535 */
    const char *algorithm_name;   /* SegmentAlgorithmName and AlgorithmName */
    const char *algorithm_version;/* AlgorithmVersion */
} dcmshim_seg_segment;

typedef struct dcmshim_seg_write_params {
    uint32_t rows;                /* y size */
    uint32_t columns;             /* x size */
    uint32_t slices;              /* z size = number of sources */
    const dcmshim_seg_source *sources;
    const char *source_series_instance_uid;  /* for ReferencedSeriesSequence */
    double orientation[6];        /* ImageOrientationPatient: row cosines then column cosines */
    double pixel_spacing[2];      /* PixelSpacing: between rows (y), between columns (x) */
    double slice_thickness;       /* SliceThickness (> 0) */
    double spacing_between_slices;/* > 0 to write SpacingBetweenSlices (ignored for 1 slice) */
    const dcmshim_seg_segment *segments;
    uint32_t segment_count;       /* 1..255 */
    int32_t series_number;
    const char *series_description;
    const char *content_creator;  /* ContentCreatorName (PN) */
    const char *content_label;    /* ContentLabel (CS), e.g. "SEGMENTATION" */
    const char *manufacturer;     /* Manufacturer, e.g. "segd" */
    const char *model_name;       /* ManufacturerModelName */
    const char *device_serial;    /* DeviceSerialNumber */
    const char *software_version; /* SoftwareVersions */
    int32_t keep_empty_frames;    /* 1: one frame per segment and slice; 0: omit frames without voxels */
    const uint8_t *labels;        /* columns*rows*slices values, x fastest, then y, then slice */
    size_t label_count;
} dcmshim_seg_write_params;

typedef struct dcmshim_seg_write_result {
    uint32_t frames;                    /* frames written */
    char series_instance_uid[65];
    char sop_instance_uid[65];
    uint64_t voxel_counts[256];         /* voxels per label value of the label map */
} dcmshim_seg_write_result;

/* Writes the SEG to `path` (through `path.tmp` + fsync + rename). Returns 0 on success. */
int dcmshim_seg_write(const dcmshim_seg_write_params *params, const char *path,
                      dcmshim_seg_write_result *result, dcmshim_error *err);

/* ---- Reading ---- */

/* A SEG read into memory. Bits are unpacked on demand per frame. */
typedef struct dcmshim_seg dcmshim_seg;

typedef struct dcmshim_seg_info {
    uint32_t rows;
    uint32_t columns;
    uint32_t frames;
    uint32_t segment_count;
    int32_t fractional;                 /* 1 for FRACTIONAL (8-bit) segmentations */
    double orientation[6];              /* shared ImageOrientationPatient, if present */
    int32_t has_orientation;
    double pixel_spacing[2];
    double slice_thickness;             /* 0 if absent */
    double spacing_between_slices;      /* 0 if absent */
    char sop_class_uid[65];
    char sop_instance_uid[65];
    char series_instance_uid[65];
    char study_instance_uid[65];
    char frame_of_reference_uid[65];
    char transfer_syntax[65];
    char manufacturer[65];
    char series_description[65];
    uint32_t referenced_instances;      /* instances in ReferencedSeriesSequence (all series) */
} dcmshim_seg_info;

typedef struct dcmshim_seg_code_out {
    char scheme[17];
    char value[65];
    char meaning[65];
} dcmshim_seg_code_out;

typedef struct dcmshim_seg_segment_info {
    uint32_t number;
    char label[65];
    char algorithm_type[17];
    char algorithm_name[65];
    dcmshim_seg_code_out category;
    dcmshim_seg_code_out type;
    dcmshim_seg_code_out anatomic_region;  /* value "" if absent */
    uint16_t cielab[3];
    int32_t has_cielab;
} dcmshim_seg_segment_info;

typedef struct dcmshim_seg_frame_info {
    uint32_t segment_number;
    double position[3];
    int32_t has_position;
    char referenced_sop_instance_uid[65];   /* first Source Image of the Derivation Image item, "" if none */
    char referenced_sop_class_uid[65];
    uint32_t referenced_frame_number;       /* 0 if absent */
} dcmshim_seg_frame_info;

dcmshim_seg *dcmshim_seg_open(const char *path, dcmshim_error *err);
void dcmshim_seg_close(dcmshim_seg *seg);
int dcmshim_seg_get_info(dcmshim_seg *seg, dcmshim_seg_info *info, dcmshim_error *err);
/* index is 0-based (segment number index+1 need not hold; the number is returned). */
int dcmshim_seg_get_segment(dcmshim_seg *seg, uint32_t index, dcmshim_seg_segment_info *out, dcmshim_error *err);
int dcmshim_seg_get_frame(dcmshim_seg *seg, uint32_t frame, dcmshim_seg_frame_info *out, dcmshim_error *err);
/* Referenced instance `index` (0-based) of ReferencedSeriesSequence: SOP instance UID and SOP class UID. */
int dcmshim_seg_get_referenced_instance(dcmshim_seg *seg, uint32_t index, char *sop_instance_uid,
                                        char *sop_class_uid, dcmshim_error *err);
/* Unpacks frame `frame` (0-based) into rows*columns bytes (row by row): 0/1 for BINARY, 0..255 for FRACTIONAL. */
int dcmshim_seg_get_frame_pixels(dcmshim_seg *seg, uint32_t frame, uint8_t *out, size_t count, dcmshim_error *err);

#ifdef __cplusplus
}
#endif

#endif /* DCMSHIM_SEG_H */
