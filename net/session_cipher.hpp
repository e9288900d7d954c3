// SessionCipher: one keypair of an established session: ChaCha20-Poly1305 per
// datagram under a 64-bit counter nonce, of which only the low 32 bits travel;
// the receiver rebuilds the rest and checks replays after the tag verifies.
// Owned by its PeerSession on the net thread; keys are wiped on destruction.
#pragma once

#include <cstdint>
#include <optional>

#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/drop_counters.hpp"
#include "net/handshake.hpp"
#include "net/handshake_messages.hpp"
#include "net/replay_window.hpp"

namespace koe {

// Which path a sealed frame travels: bound into the AEAD's associated data so
// a frame lifted from one path is rejected on the other.
enum class FrameChannel : uint8_t {
  kEnet = 0x00,                                                         // inside an ENet packet
  kSessionData = static_cast<uint8_t>(wire::PacketType::kSessionData),  // our own datagram
};

// The full counter whose low 32 bits are `low` and which lies nearest to
// `reference` (the highest authenticated counter): a packet more than 2^31
// counters away from it cannot be placed, and fails to authenticate.
uint64_t reconstruct_counter(uint64_t reference, uint32_t low);

class SessionCipher {
 public:
  SessionCipher(const TransportKeys& keys, uint32_t local_index, uint32_t remote_index,
                TimePoint created, bool initiator, uint64_t reject_after_messages);
  ~SessionCipher();
  SessionCipher(const SessionCipher&) = delete;
  SessionCipher& operator=(const SessionCipher&) = delete;

  // Appends [counter low 32 bits][ciphertext || tag] to `out`. false, appending
  // nothing, once the send counter reached the reject limit.
  bool seal(ByteView plaintext, FrameChannel channel, Bytes& out);
  // Opens `frame` into `plaintext` (resized). On failure returns the drop reason:
  // kBadMac (forged, damaged or misplaced), kReplay, kExpiredKey (counter limit).
  std::optional<DropReason> open(const SealedFrame& frame, FrameChannel channel, Bytes& plaintext);

  uint32_t local_index() const { return local_index_; }
  uint32_t remote_index() const { return remote_index_; }
  TimePoint created() const { return created_; }
  bool initiator() const { return initiator_; }
  uint64_t messages_sent() const { return send_counter_; }
  uint64_t highest_received() const { return replay_.highest(); }
  // Something from the peer opened under this keypair: the peer holds it too.
  bool heard_from_peer() const { return heard_from_peer_; }

 private:
  TransportKeys keys_;
  uint32_t local_index_;
  uint32_t remote_index_;
  TimePoint created_;
  bool initiator_;
  uint64_t reject_after_messages_;
  uint64_t send_counter_ = 0;
  ReplayWindow replay_;
  bool heard_from_peer_ = false;
};

}  // namespace koe
