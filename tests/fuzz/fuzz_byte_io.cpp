// libFuzzer harness for ByteReader/ByteWriter symmetry. The input is read as a
// script of (op byte, field) pairs; the fields go through every reader primitive,
// including the bounded and UTF-8 string readers. Reading must never crash, and
// a script read to its end without failure must be written back by ByteWriter
// to the identical bytes (every field encoding is canonical).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "net/byte_reader.hpp"
#include "net/byte_writer.hpp"

namespace {

enum Op : uint8_t { kU8, kU16, kU32, kU64, kArray4, kByteString, kUtf8String, kOpCount };
constexpr size_t kMaxStringLength = 32;

struct Field {
  Op op;
  uint64_t number = 0;
  koe::Bytes bytes;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace koe;
  ByteReader reader(ByteView(data, size));
  std::vector<Field> fields;
  while (reader.remaining() > 0) {
    const uint8_t op = reader.u8();
    if (op >= kOpCount) return 0;  // not a script: nothing to compare
    Field f{static_cast<Op>(op), 0, {}};
    switch (f.op) {
      case kU8: f.number = reader.u8(); break;
      case kU16: f.number = reader.u16(); break;
      case kU32: f.number = reader.u32(); break;
      case kU64: f.number = reader.u64(); break;
      case kArray4: {
        const auto a = reader.array<4>();
        f.bytes.assign(a.begin(), a.end());
        break;
      }
      case kByteString: {
        const ByteView s = reader.byte_string(kMaxStringLength);
        f.bytes.assign(s.begin(), s.end());
        break;
      }
      case kUtf8String: {
        const std::string s = reader.utf8_string(kMaxStringLength);
        f.bytes.assign(s.begin(), s.end());
        break;
      }
      case kOpCount: std::abort();
    }
    if (reader.failed()) return 0;
    fields.push_back(std::move(f));
  }
  if (!reader.expect_end()) std::abort();  // the loop consumed everything

  ByteWriter writer(size);  // exactly enough room: the cap itself is exercised
  for (const Field& f : fields) {
    writer.u8(f.op);
    switch (f.op) {
      case kU8: writer.u8(static_cast<uint8_t>(f.number)); break;
      case kU16: writer.u16(static_cast<uint16_t>(f.number)); break;
      case kU32: writer.u32(static_cast<uint32_t>(f.number)); break;
      case kU64: writer.u64(f.number); break;
      case kArray4: writer.bytes(f.bytes); break;
      case kByteString: writer.byte_string(f.bytes, kMaxStringLength); break;
      case kUtf8String:
        writer.utf8_string({reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size()}, kMaxStringLength);
        break;
      case kOpCount: std::abort();
    }
  }
  const auto encoded = std::move(writer).finish();
  if (!encoded || encoded->size() != size || (size != 0 && std::memcmp(encoded->data(), data, size) != 0)) {
    std::abort();
  }
  return 0;
}
