// Reading a file's header with bounds: DCMTK parses through a stream that stops after a byte budget or at a
// long run of zero bytes, so a file that starts like DICOM and then holds gigabytes of junk is rejected after
// a bounded amount of work instead of being parsed to its end.
#include "dcmshim_internal.hpp"

#include "dcmtk/dcmdata/dcistrmf.h"

#include <atomic>
#include <cstdio>

namespace {

std::atomic<uint64_t> headerLimit{DCMSHIM_DEFAULT_HEADER_LIMIT};

/// Consecutive zero bytes that DCMTK may consume as header before the file is judged to be junk. A real
/// header never has them: values over the lazy-load threshold (4 KiB) are skipped, not read, and every
/// element starts with a non-zero tag. (1 MiB of zeros is 131,072 empty (0000,0000) elements.)
constexpr offile_off_t zeroRunLimit = 1 << 20;

/// Wraps DcmFileProducer: counts the bytes handed to the parser and trips on the budget or a zero run.
class BoundedProducer : public DcmProducer {
public:
    BoundedProducer(const OFFilename &name, uint64_t limit) : file_(name), limit_(limit) {}

    OFBool good() const override { return trip_.empty() && file_.good(); }
    OFCondition status() const override { return trip_.empty() ? file_.status() : EC_StreamNotifyClient; }
    OFBool eos() override { return !trip_.empty() || file_.eos(); }
    offile_off_t avail() override { return trip_.empty() ? file_.avail() : 0; }

    offile_off_t read(void *buf, offile_off_t buflen) override {
        if (!trip_.empty()) return 0;
        if (read_ + uint64_t(buflen) > limit_) {
            trip_ = "budget";
            return 0;
        }
        offile_off_t n = file_.read(buf, buflen);
        read_ += uint64_t(n);
        watchZeros(static_cast<const unsigned char *>(buf), n);
        pos_ += n;
        return n;
    }

    offile_off_t skip(offile_off_t skiplen) override {
        if (!trip_.empty()) return 0;
        offile_off_t n = file_.skip(skiplen);
        pos_ += n;
        return n;
    }

    void putback(offile_off_t num) override {
        file_.putback(num);
        pos_ -= num;
    }

    const std::string &trip() const { return trip_; }
    uint64_t bytesRead() const { return read_; }
    offile_off_t runStart() const { return runStart_; }

private:
    /// Tracks the zero run by file position, so bytes re-read after a putback are not counted twice.
    void watchZeros(const unsigned char *bytes, offile_off_t n) {
        for (offile_off_t i = 0; i < n; ++i) {
            offile_off_t p = pos_ + i;
            if (bytes[i] != 0) {
                runStart_ = runEnd_ = p + 1;
            } else if (p == runEnd_) {
                runEnd_ = p + 1;
            } else if (p < runStart_ || p > runEnd_) {
                runStart_ = p;
                runEnd_ = p + 1;
            }
        }
        if (runEnd_ - runStart_ >= zeroRunLimit) trip_ = "zeros";
    }

    DcmFileProducer file_;
    uint64_t limit_;
    uint64_t read_ = 0;
    offile_off_t pos_ = 0, runStart_ = 0, runEnd_ = 0;
    std::string trip_;
};

/// A file stream over BoundedProducer. Large values stay on disk: their loader reopens the file at their
/// offset with a plain DcmInputFileStream (as DcmInputFileStream itself does).
class BoundedFileStream : public DcmInputStream {
public:
    BoundedFileStream(const OFFilename &name, uint64_t limit)
        : DcmInputStream(&producer_), producer_(name, limit), name_(name) {}

    DcmInputStreamFactory *newFactory() const override {
        // With a compression filter (deflate) installed, offsets are not file offsets: no lazy loading.
        return currentProducer() == &producer_ ? new DcmInputFileStreamFactory(name_, tell()) : nullptr;
    }

    const BoundedProducer &producer() const { return producer_; }

private:
    BoundedProducer producer_;
    OFFilename name_;
};

std::string mib(uint64_t bytes) {
    if (bytes < (1 << 20)) return std::to_string(bytes) + " bytes";
    char text[32];
    std::snprintf(text, sizeof(text), "%.1f MiB", double(bytes) / double(1 << 20));
    return text;
}

} // namespace

namespace dcmshim {

int loadHeader(DcmFileFormat &format, const std::string &path, uint64_t limit, dcmshim_error *err) {
    if (limit == 0) limit = headerLimit.load();
    BoundedFileStream stream(OFFilename(path.c_str()), limit);
    OFCondition cond = stream.status();
    if (cond.good()) cond = format.clear();
    if (cond.good()) {
        // What DcmFileFormat::loadFile does, with our stream.
        format.setReadMode(ERM_fileOnly);
        format.transferInit();
        cond = format.read(stream, EXS_Unknown, EGL_noChange, 4096);
        format.transferEnd();
    }
    const BoundedProducer &p = stream.producer();
    // Junk after a complete image (e.g. zero padding after the pixel data): the image is read as before, the
    // rest of the file is ignored.
    if (!p.trip().empty() && format.getDataset()->tagExists(DCM_PixelData, OFFalse)) return ok(err);
    if (p.trip() == "zeros")
        return fail(err, DCMSHIM_ERR_MALFORMED,
                    "not a usable DICOM file: " + mib(zeroRunLimit) + " of zero bytes from offset " +
                        std::to_string(p.runStart()) +
                        " where data elements should be (a valid preamble followed by junk); quarantine or "
                        "re-export the file");
    if (p.trip() == "budget")
        return fail(err, DCMSHIM_ERR_MALFORMED,
                    "not a usable DICOM file: its header (the elements before the pixel data) does not end "
                    "within " + mib(limit) + " read; it is corrupt or not DICOM; re-export the file");
    if (cond == EC_StreamNotifyClient)
        return fail(err, DCMSHIM_ERR_READ, std::string("DCMTK cannot read the file: ") + cond.text() +
                                               " (the file ends inside a data element: it is truncated, or an "
                                               "element's length runs past its end); re-send the complete file");
    if (cond.bad()) return fail(err, DCMSHIM_ERR_READ, std::string("DCMTK cannot read the file: ") + cond.text());
    return ok(err);
}

} // namespace dcmshim

extern "C" void dcmshim_set_header_limit(uint64_t bytes) {
    headerLimit.store(bytes == 0 ? DCMSHIM_DEFAULT_HEADER_LIMIT : bytes);
}

extern "C" uint64_t dcmshim_header_limit(void) { return headerLimit.load(); }
