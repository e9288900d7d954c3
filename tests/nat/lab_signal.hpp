// The NAT lab's stand-in for call signalling: a rendezvous on the lab server passes
// named blobs between the two clients (what the supernodes and the index will carry
// in the product, signed and sealed). Lab-only wire format: first byte 'L', never a
// Koe datagram. Plain values and pure functions; any thread.
#pragma once

#include <optional>
#include <string>

#include "net/bytes.hpp"
#include "net/decode_result.hpp"

namespace koe::lab {

inline constexpr uint8_t kLabMagic = 'L';
inline constexpr size_t kMaxLabName = 32;
inline constexpr size_t kMaxLabBlob = 1000;

struct LabSend {  // client -> rendezvous: register `from` here, pass `blob` to `to`
  std::string from, to;
  Bytes blob;
};
struct LabDeliver {  // rendezvous -> client
  std::string from;
  Bytes blob;
};

// nullopt when a name is empty or too long, or the blob too long.
std::optional<Bytes> encode_lab_send(const LabSend& m);
std::optional<Bytes> encode_lab_deliver(const LabDeliver& m);
Decoded<LabSend> decode_lab_send(ByteView datagram);
Decoded<LabDeliver> decode_lab_deliver(ByteView datagram);

// The blobs the clients exchange.
enum class BlobKind : uint8_t {
  kOffer = 1,    // identity public key (32) then a punch offer
  kTickets = 2,  // relay tickets (the caller's allocations)
  kGot = 3,      // one byte: the kind received (stops the sender's retransmissions)
  kHello = 4,    // nothing: registers the sender at the rendezvous before it has news
};

}  // namespace koe::lab
