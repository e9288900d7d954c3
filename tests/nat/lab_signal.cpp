#include "tests/nat/lab_signal.hpp"

#include <utility>

#include "net/byte_reader.hpp"
#include "net/byte_writer.hpp"

namespace koe::lab {

namespace {

constexpr uint8_t kSend = 1, kDeliver = 2;

bool valid_name(const std::string& name) { return !name.empty() && name.size() <= kMaxLabName; }

void write_name(ByteWriter& w, const std::string& name) {
  w.u8(static_cast<uint8_t>(name.size()));
  w.bytes({reinterpret_cast<const uint8_t*>(name.data()), name.size()});
}

std::string read_name(ByteReader& r) {
  const uint8_t n = r.u8();
  if (!r.failed() && (n == 0 || n > kMaxLabName)) r.fail(DecodeError::kBadFieldValue);
  const ByteView bytes = r.bytes(n);
  return std::string(bytes.begin(), bytes.end());
}

ByteReader open(ByteView datagram, uint8_t op) {
  ByteReader r(datagram);
  if (r.u8() != kLabMagic && !r.failed()) r.fail(DecodeError::kBadMagic);
  if (r.u8() != op && !r.failed()) r.fail(DecodeError::kWrongType);
  return r;
}

}  // namespace

std::optional<Bytes> encode_lab_send(const LabSend& m) {
  if (!valid_name(m.from) || !valid_name(m.to) || m.blob.size() > kMaxLabBlob) return std::nullopt;
  ByteWriter w(2 + 2 * (1 + kMaxLabName) + kMaxLabBlob);
  w.u8(kLabMagic);
  w.u8(kSend);
  write_name(w, m.from);
  write_name(w, m.to);
  w.bytes(m.blob);
  return std::move(w).finish();
}

std::optional<Bytes> encode_lab_deliver(const LabDeliver& m) {
  if (!valid_name(m.from) || m.blob.size() > kMaxLabBlob) return std::nullopt;
  ByteWriter w(2 + 1 + kMaxLabName + kMaxLabBlob);
  w.u8(kLabMagic);
  w.u8(kDeliver);
  write_name(w, m.from);
  w.bytes(m.blob);
  return std::move(w).finish();
}

Decoded<LabSend> decode_lab_send(ByteView datagram) {
  ByteReader r = open(datagram, kSend);
  LabSend m;
  m.from = read_name(r);
  m.to = read_name(r);
  if (r.failed()) return r.error();
  if (r.remaining() > kMaxLabBlob) return DecodeError::kOversized;
  const ByteView blob = r.rest();
  m.blob.assign(blob.begin(), blob.end());
  return m;
}

Decoded<LabDeliver> decode_lab_deliver(ByteView datagram) {
  ByteReader r = open(datagram, kDeliver);
  LabDeliver m;
  m.from = read_name(r);
  if (r.failed()) return r.error();
  if (r.remaining() > kMaxLabBlob) return DecodeError::kOversized;
  const ByteView blob = r.rest();
  m.blob.assign(blob.begin(), blob.end());
  return m;
}

}  // namespace koe::lab
