// Shared set-up of the secure-session fuzz harnesses: two nodes with fixed
// identities and seeded randomness, so the same calls always produce the same
// valid messages, and the input modes every harness accepts. Single-threaded.
//
// Input modes: a first byte of kMutateMarker means "XOR the rest onto a valid
// message" (so even random inputs reach the crypto paths); anything else is a
// raw datagram, which must round-trip through its codec when it decodes.
#pragma once

#include <array>
#include <cstdlib>
#include <memory>

#include "net/identity.hpp"
#include "net/random.hpp"
#include "net/session_manager.hpp"

namespace koe::fuzz {

inline constexpr uint8_t kMutateMarker = 0xFF;
inline const Endpoint kEndpointA{Endpoint::make_ip(127, 0, 0, 1), 40001};
inline const Endpoint kEndpointB{Endpoint::make_ip(127, 0, 0, 2), 40002};
inline const TimePoint kNow = TimePoint{} + std::chrono::seconds(1000);

// Node n's identity (n = 1 or 2), made once: guarded key memory is slow to allocate.
inline const Identity& fixed_identity(uint8_t n) {
  static const std::array<Identity, 2> identities = [] {
    auto make = [](uint8_t fill) {
      std::array<uint8_t, kSecretSeedSize> seed{};
      seed.fill(fill);
      return Identity::from_seed(seed);
    };
    return std::array<Identity, 2>{make(1), make(2)};
  }();
  return identities[n == 1 ? 0 : 1];
}

// A node whose every output is a function of its number and the calls made.
struct FuzzNode {
  explicit FuzzNode(uint8_t number)
      : random(number),
        identity(fixed_identity(number)),
        manager(identity.public_key(), identity.secret_key().first<64>(), random) {}
  SeededRandom random;
  const Identity& identity;
  SessionManager manager;
};

// The input that stands for the unmodified valid message: its expected outcome
// is checked too, so a stale fixture cannot silently stop reaching the crypto.
inline bool is_pristine(const uint8_t* data, size_t size) {
  return size == 1 && data[0] == kMutateMarker;
}

// The first datagram of `type` in `node`'s outbox (empty if none).
inline Bytes take_first(FuzzNode& node, wire::PacketType type) {
  for (auto& d : node.manager.take_outbox()) {
    if (d.bytes.size() > 2 && d.bytes[2] == static_cast<uint8_t>(type)) return d.bytes;
  }
  return {};
}

// A fresh initiator A with its initiation to B in flight (always the same bytes).
inline std::unique_ptr<FuzzNode> initiator_with_pending_handshake(Bytes* initiation = nullptr) {
  auto a = std::make_unique<FuzzNode>(1);
  a->manager.connect(kNow, fixed_identity(2).public_key(), kEndpointB);
  Bytes first = take_first(*a, wire::PacketType::kHandshakeInitiation);
  if (initiation) *initiation = std::move(first);
  return a;
}

// The datagram a fuzz input stands for (see the modes above).
inline Bytes datagram_from_input(const uint8_t* data, size_t size, const Bytes& valid) {
  if (size == 0 || data[0] != kMutateMarker) return Bytes(data, data + size);
  Bytes out = valid;
  for (size_t i = 1; i < size && !out.empty(); ++i) out[(i - 1) % out.size()] ^= data[i];
  if (size - 1 > out.size() && data[size - 1] & 1)
    out.resize(out.size() - data[size - 1] % out.size());
  return out;
}

// Aborts (a finding) unless a decoded message re-encodes to the bytes it came from.
template <typename Message>
void check_round_trip(const Decoded<Message>& decoded, ByteView input) {
  if (!decoded) return;
  const Bytes again = encode(*decoded);
  if (!std::equal(again.begin(), again.end(), input.begin(), input.end())) std::abort();
}

}  // namespace koe::fuzz
