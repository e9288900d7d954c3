#include "net/session_cipher.hpp"

#include <sodium.h>

namespace koe {

uint64_t reconstruct_counter(uint64_t reference, uint32_t low) {
  constexpr uint64_t kSpan = uint64_t{1} << 32;
  constexpr uint64_t kHalf = kSpan / 2;
  uint64_t candidate = (reference & ~(kSpan - 1)) | low;
  if (candidate < reference && reference - candidate > kHalf &&
      candidate <= std::numeric_limits<uint64_t>::max() - kSpan) {
    candidate += kSpan;  // the low bits wrapped ahead of the reference
  } else if (candidate > reference && candidate - reference > kHalf && candidate >= kSpan) {
    candidate -= kSpan;  // a late packet from before the reference wrapped
  }
  return candidate;
}

SessionCipher::SessionCipher(const TransportKeys& keys, uint32_t local_index, uint32_t remote_index,
                             TimePoint created, bool initiator, uint64_t reject_after_messages)
    : keys_(keys),
      local_index_(local_index),
      remote_index_(remote_index),
      created_(created),
      initiator_(initiator),
      reject_after_messages_(reject_after_messages) {}

SessionCipher::~SessionCipher() { sodium_memzero(&keys_, sizeof keys_); }

bool SessionCipher::seal(ByteView plaintext, FrameChannel channel, Bytes& out) {
  if (send_counter_ >= reject_after_messages_) return false;
  const uint64_t counter = send_counter_++;
  append_frame_counter(static_cast<uint32_t>(counter), out);
  const size_t at = out.size();
  out.resize(at + plaintext.size() + noise::kTagSize);
  const uint8_t associated = static_cast<uint8_t>(channel);
  noise::aead_seal(keys_.send, counter, plaintext, ByteView{&associated, 1},
                   MutableByteView{out}.subspan(at));
  return true;
}

std::optional<DropReason> SessionCipher::open(const SealedFrame& frame, FrameChannel channel,
                                              Bytes& plaintext) {
  if (frame.ciphertext.size() < noise::kTagSize) return DropReason::kMalformed;
  const uint64_t counter = reconstruct_counter(replay_.highest(), frame.counter_low);
  plaintext.resize(frame.ciphertext.size() - noise::kTagSize);
  const uint8_t associated = static_cast<uint8_t>(channel);
  if (!noise::aead_open(keys_.receive, counter, frame.ciphertext, ByteView{&associated, 1},
                        plaintext)) {
    return DropReason::kBadMac;
  }
  // Only now, with the counter authenticated, may it be judged or move the window.
  if (counter >= reject_after_messages_) return DropReason::kExpiredKey;
  if (!replay_.check_and_update(counter)) return DropReason::kReplay;
  heard_from_peer_ = true;
  return std::nullopt;
}

}  // namespace koe
