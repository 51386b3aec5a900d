/*
 * dcmshim.h: the plain C API over DCMTK (and OpenJPEG for JPEG 2000) used by the Swift `DICOM` module.
 *
 * Rules of this API:
 *  - Opaque handles, POD structs, and a caller-provided error struct. No C++ type crosses it.
 *  - Every entry point catches all C++ exceptions; none escapes into Swift.
 *  - Tags are passed as one 32-bit number: (group << 16) | element.
 *  - Files are only ever read, never written.
 *  - A handle is not thread-safe: use one handle per thread. Different handles may be used concurrently
 *    after dcmshim_init has succeeded (it is idempotent and thread-safe).
 */
#ifndef DCMSHIM_H
#define DCMSHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes of dcmshim_error.code (0 = success). */
enum {
    DCMSHIM_OK = 0,
    DCMSHIM_ERR_INIT = 1,          /* data dictionary missing or codec registration failed */
    DCMSHIM_ERR_NOT_DICOM = 2,     /* no DICM preamble / not a DICOM Part 10 file */
    DCMSHIM_ERR_READ = 3,          /* DCMTK could not parse the file (truncated, corrupt) */
    DCMSHIM_ERR_NO_PIXELS = 4,     /* no PixelData element */
    DCMSHIM_ERR_UNSUPPORTED = 5,   /* pixel format this reader does not handle (colour, odd bit depth, ...) */
    DCMSHIM_ERR_DECODE = 6,        /* decompression or pixel extraction failed */
    DCMSHIM_ERR_ARGUMENT = 7,      /* bad argument (frame out of range, buffer too small) */
    DCMSHIM_ERR_INTERNAL = 8,      /* unexpected C++ exception or allocation failure */
    DCMSHIM_ERR_MALFORMED = 9      /* starts like DICOM but its header is junk: not complete within the header
                                      limit, or a long run of zero bytes where elements should be */
};

/* Default of the header limit: bytes DCMTK may read (large values are skipped, not read) before the header of
 * a file must be complete. */
#define DCMSHIM_DEFAULT_HEADER_LIMIT ((uint64_t)64 << 20)

typedef struct dcmshim_error {
    int code;
    char message[512];
} dcmshim_error;

/* An open DICOM file (DcmFileFormat). Large element values stay on disk until needed. */
typedef struct dcmshim_file dcmshim_file;

/* The pixel module of an open file. */
typedef struct dcmshim_pixel_info {
    uint32_t rows;
    uint32_t columns;
    uint32_t frames;               /* NumberOfFrames, 1 if absent */
    uint16_t samples_per_pixel;
    uint16_t bits_allocated;
    uint16_t bits_stored;
    uint16_t high_bit;
    uint16_t pixel_representation; /* 0 unsigned, 1 signed (two's complement) */
    int32_t monochrome1;           /* 1 if PhotometricInterpretation is MONOCHROME1 */
    int32_t has_pixel_data;        /* 1 if (7FE0,0010) is present */
    int32_t encapsulated;          /* 1 if the pixel data is compressed (encapsulated) */
    int64_t pixel_data_length;     /* value length in bytes of native pixel data, -1 if encapsulated/absent */
    char transfer_syntax[68];      /* transfer syntax UID of the file as read */
    int64_t fragments;             /* compressed fragments (items after the offset table), -1 if not encapsulated;
                                      a valid file has at least one per frame */
} dcmshim_pixel_info;

/* Global initialisation: checks the data dictionary and registers the JPEG, JPEG-LS and RLE decoders.
 * Idempotent and thread-safe; returns 0 on success. */
int dcmshim_init(dcmshim_error *err);

/* Opens a DICOM Part 10 file (the 'DICM' preamble is required). Element values larger than 4 KB are
 * read lazily, so opening is cheap. The read is bounded: it fails with DCMSHIM_ERR_MALFORMED once DCMTK has
 * read more than the header limit, or 1 MiB of consecutive zero bytes, as header (once PixelData has been
 * read, such a tail is ignored and the image opens). Returns NULL and fills err on failure. */
dcmshim_file *dcmshim_open(const char *path, dcmshim_error *err);
/* The same with an explicit header limit in bytes (0: the process-wide limit below). */
dcmshim_file *dcmshim_open_limited(const char *path, uint64_t header_limit, dcmshim_error *err);
void dcmshim_close(dcmshim_file *file);

/* Sets the header limit for later opens (process-wide; 0 restores DCMSHIM_DEFAULT_HEADER_LIMIT). */
void dcmshim_set_header_limit(uint64_t bytes);
uint64_t dcmshim_header_limit(void);

/* A string attribute of the main dataset (all values joined with '\\'), copied NUL-terminated into buf.
 * Returns 1 if the element is present (possibly empty), 0 if absent. */
int dcmshim_get_string(dcmshim_file *file, uint32_t tag, char *buf, size_t cap);
/* The same for the file meta information (e.g. TransferSyntaxUID, MediaStorageSOPInstanceUID). */
int dcmshim_get_meta_string(dcmshim_file *file, uint32_t tag, char *buf, size_t cap);
/* Numeric values (DS, IS, FD, FL, US, SS, UL, SL) of the main dataset. Returns how many were copied. */
int dcmshim_get_numbers(dcmshim_file *file, uint32_t tag, double *out, int cap);
/* 1 if the main dataset contains the tag at top level. */
int dcmshim_has_tag(dcmshim_file *file, uint32_t tag);

/* Functional-group lookups for multi-frame objects: the value of `tag` inside the first item of the macro
 * sequence `macro_tag` (e.g. PlanePositionSequence) of PerFrameFunctionalGroupsSequence item `frame`
 * (0-based), falling back to SharedFunctionalGroupsSequence. Same return conventions as above. */
int dcmshim_get_frame_numbers(dcmshim_file *file, uint32_t frame, uint32_t macro_tag, uint32_t tag,
                              double *out, int cap);
int dcmshim_get_frame_string(dcmshim_file *file, uint32_t frame, uint32_t macro_tag, uint32_t tag,
                             char *buf, size_t cap);

/* Fills the pixel module description. Returns 0 on success. */
int dcmshim_pixel_info_get(dcmshim_file *file, dcmshim_pixel_info *info, dcmshim_error *err);

/* Decodes frame `frame` (0-based) of a grey-scale image straight into `out` (rows*columns floats, row by
 * row): bits outside BitsStored are masked, signed values sign-extended, MONOCHROME1 inverted, then
 * value = stored * slope + intercept. Handles native (LE/BE/deflate), JPEG, JPEG-LS, RLE and JPEG 2000.
 * Returns 0 on success. */
int dcmshim_decode_frame(dcmshim_file *file, uint32_t frame, double slope, double intercept,
                         float *out, size_t count, dcmshim_error *err);

#ifdef __cplusplus
}
#endif

#endif /* DCMSHIM_H */
