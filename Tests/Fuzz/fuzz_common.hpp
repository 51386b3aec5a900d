// Shared helpers of the libFuzzer harnesses: the shim reads files by path, so each input is written to an
// in-memory file (memfd) and passed as /proc/self/fd/N. No disk I/O, no temp files left behind.
#ifndef SEGD_FUZZ_COMMON_HPP
#define SEGD_FUZZ_COMMON_HPP

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace fuzz {

/// An in-memory file holding one fuzz input, readable by path while the object lives.
class MemFile {
  public:
    MemFile(const uint8_t *data, size_t size) {
        fd_ = memfd_create("segd-fuzz", 0);
        if (fd_ < 0) { std::perror("memfd_create"); std::abort(); }
        size_t done = 0;
        while (done < size) {
            ssize_t n = write(fd_, data + done, size - done);
            if (n <= 0) { std::perror("write"); std::abort(); }
            done += size_t(n);
        }
        std::snprintf(path_, sizeof path_, "/proc/self/fd/%d", fd_);
    }
    ~MemFile() { close(fd_); }
    MemFile(const MemFile &) = delete;
    MemFile &operator=(const MemFile &) = delete;
    const char *path() const { return path_; }

  private:
    int fd_ = -1;
    char path_[64] = {0};
};

/// Largest frame the harnesses decode (pixels). Bigger frames are legal but would only measure the allocator;
/// the daemon's memory admission, not the parser, is what bounds them.
constexpr size_t kMaxFramePixels = size_t(4) << 20;

} // namespace fuzz

#endif
