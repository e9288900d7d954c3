// Wire codecs of the secure-session packets: handshake initiation and response,
// cookie reply, and sealed session data (layouts in docs/security.md).
// Pure functions; any thread. Decoded views borrow the caller's datagram.
#pragma once

#include <array>
#include <cstdint>

#include "net/bytes.hpp"
#include "net/decode_result.hpp"
#include "net/noise.hpp"
#include "net/wire.hpp"

namespace koe {

inline constexpr size_t kTimestampSize = 12;    // TAI64N: 8-byte seconds, 4-byte nanoseconds
inline constexpr size_t kCookieNonceSize = 24;  // XChaCha20-Poly1305 nonce
inline constexpr size_t kCounterWireSize = 4;   // low 32 bits of the 64-bit counter

using Timestamp = std::array<uint8_t, kTimestampSize>;

struct HandshakeInitiation {
  uint32_t sender_index = 0;
  noise::Key ephemeral{};
  std::array<uint8_t, noise::kKeySize + noise::kTagSize> encrypted_static{};
  std::array<uint8_t, kTimestampSize + noise::kTagSize> encrypted_timestamp{};
  noise::Mac mac1{};
  noise::Mac mac2{};
};

struct HandshakeResponse {
  uint32_t sender_index = 0;
  uint32_t receiver_index = 0;
  noise::Key ephemeral{};
  std::array<uint8_t, noise::kTagSize> encrypted_nothing{};
  noise::Mac mac1{};
  noise::Mac mac2{};
};

struct CookieReply {
  uint32_t receiver_index = 0;
  std::array<uint8_t, kCookieNonceSize> nonce{};
  std::array<uint8_t, noise::kMacSize + noise::kTagSize> encrypted_cookie{};
};

// [counter low 32 bits][ciphertext || tag]: what a session seals, carried inside
// ENet packets as is and inside kSessionData after the receiver index.
struct SealedFrame {
  uint32_t counter_low = 0;
  ByteView ciphertext;  // includes the tag; at least kTagSize bytes
};

// kSessionData: the receiver's index in clear so an untrusted forwarder can route
// it without keys, then a sealed frame.
struct SessionData {
  uint32_t receiver_index = 0;
  ByteView sealed_frame;  // a SealedFrame's bytes
};

inline constexpr size_t kInitiationSize = wire::kHeaderSize + 4 + noise::kKeySize +
                                          noise::kKeySize + noise::kTagSize + kTimestampSize +
                                          noise::kTagSize + 2 * noise::kMacSize;  // 147
inline constexpr size_t kResponseSize =
    wire::kHeaderSize + 4 + 4 + noise::kKeySize + noise::kTagSize + 2 * noise::kMacSize;  // 91
inline constexpr size_t kCookieReplySize =
    wire::kHeaderSize + 4 + kCookieNonceSize + noise::kMacSize + noise::kTagSize;   // 63
inline constexpr size_t kSealedFrameOverhead = kCounterWireSize + noise::kTagSize;  // 20
inline constexpr size_t kSessionDataOverhead = wire::kHeaderSize + 4 + kSealedFrameOverhead;
inline constexpr size_t kMaxSessionPayload = wire::kMaxDatagramSize - kSessionDataOverhead;

// mac1 covers every byte before it; mac2 every byte before mac2 (mac1 included).
// Both handshake messages end with mac1 || mac2.
constexpr size_t mac1_offset(size_t message_size) { return message_size - 2 * noise::kMacSize; }
constexpr size_t mac2_offset(size_t message_size) { return message_size - noise::kMacSize; }

Bytes encode(const HandshakeInitiation& message);
Bytes encode(const HandshakeResponse& message);
Bytes encode(const CookieReply& message);
Bytes encode(const SessionData& message);
Bytes encode(const SealedFrame& frame);
// The fast path used by sessions, which seal straight into the datagram buffer:
// the kSessionData prefix (header, receiver index), and a sealed frame's counter.
Bytes session_data_prefix(uint32_t receiver_index);
void append_frame_counter(uint32_t counter_low, Bytes& out);

Decoded<HandshakeInitiation> decode_handshake_initiation(ByteView datagram);
Decoded<HandshakeResponse> decode_handshake_response(ByteView datagram);
Decoded<CookieReply> decode_cookie_reply(ByteView datagram);
Decoded<SessionData> decode_session_data(ByteView datagram);
Decoded<SealedFrame> decode_sealed_frame(ByteView frame);

}  // namespace koe
