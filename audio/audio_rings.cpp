#include "audio/audio_rings.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <new>
#include <system_error>
#include <utility>

namespace koe {

namespace {

AudioRings* map_rings(int fd) {
  void* p = ::mmap(nullptr, sizeof(AudioRings), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap audio rings");
  return static_cast<AudioRings*>(p);
}

}  // namespace

RingsMemory RingsMemory::heap() { return RingsMemory(new AudioRings, -1, false); }

RingsMemory RingsMemory::shared() {
  // Close-on-exec: only the audio host gets it, by an explicit dup at spawn.
  const int fd = ::memfd_create("koe-audio-rings", MFD_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "memfd_create");
  if (::ftruncate(fd, sizeof(AudioRings)) != 0) {
    const int err = errno;
    ::close(fd);
    throw std::system_error(err, std::generic_category(), "ftruncate audio rings");
  }
  try {
    return RingsMemory(new (map_rings(fd)) AudioRings, fd, true);
  } catch (...) {
    ::close(fd);
    throw;
  }
}

RingsMemory RingsMemory::map_inherited(int fd) {
  // The creator constructed the block; atomics need no further set-up.
  return RingsMemory(map_rings(fd), fd, true);
}

RingsMemory::RingsMemory(RingsMemory&& other) noexcept
    : rings_(std::exchange(other.rings_, nullptr)),
      fd_(std::exchange(other.fd_, -1)),
      mapped_(other.mapped_) {}

RingsMemory& RingsMemory::operator=(RingsMemory&& other) noexcept {
  if (this != &other) {
    release();
    rings_ = std::exchange(other.rings_, nullptr);
    fd_ = std::exchange(other.fd_, -1);
    mapped_ = other.mapped_;
  }
  return *this;
}

RingsMemory::~RingsMemory() { release(); }

void RingsMemory::release() {
  if (rings_ && mapped_) ::munmap(rings_, sizeof(AudioRings));
  if (rings_ && !mapped_) delete rings_;
  if (fd_ >= 0) ::close(fd_);
  rings_ = nullptr;
  fd_ = -1;
}

}  // namespace koe
