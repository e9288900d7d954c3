// Reflexive-address probes (owner of wire::PacketType::kProbeRequest and
// kProbeResponse): "which endpoint do you see me as?", answered by any node.
// Plain values and pure functions (sans-IO); any thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/bytes.hpp"
#include "net/decode_result.hpp"
#include "net/endpoint.hpp"
#include "net/wire.hpp"

namespace koe {

// Layouts after the common header (docs/wire-format.md), big-endian:
//   request:  nonce u64
//   response: nonce u64, observed ip u32, observed port u16
struct ProbeRequest {
  uint64_t nonce = 0;  // chosen at random by the asker; echoed to match the answer
  friend bool operator==(const ProbeRequest&, const ProbeRequest&) = default;
};

struct ProbeResponse {
  uint64_t nonce = 0;
  Endpoint observed;  // the request's source as the responder saw it; never 0.0.0.0 or port 0
  friend bool operator==(const ProbeResponse&, const ProbeResponse&) = default;
};

inline constexpr size_t kProbeRequestSize = wire::kHeaderSize + 8;
inline constexpr size_t kProbeResponseSize = wire::kHeaderSize + 8 + 4 + 2;
// A spoofed-source request must not buy an attacker a much larger reply.
static_assert(kProbeResponseSize <= 2 * kProbeRequestSize, "probe would amplify");

Bytes encode_probe_request(const ProbeRequest& request);
// Whole datagram (header included); rejects anything but exactly one request.
Decoded<ProbeRequest> decode_probe_request(ByteView datagram);

// Precondition: response.observed has a non-zero ip and port (what the decoder accepts).
Bytes encode_probe_response(const ProbeResponse& response);
Decoded<ProbeResponse> decode_probe_response(ByteView datagram);

// The probe responder: given a datagram's source and bytes, the response to send
// back to `from`, or why there is none (the caller counts rejected input and
// applies its rate limit before calling).
Decoded<Bytes> respond_to_probe(const Endpoint& from, ByteView request);

}  // namespace koe
