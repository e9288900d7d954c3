// The filtering test's messages (owner of wire::PacketType::kProbeRedirect and
// kProbeForward): a node asks a supernode to have a partner supernode, one the node
// never sent to, probe it; whether that probe gets through tells the NAT's filtering.
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
//   redirect: nonce u64, 16 zero bytes                  (node -> supernode)
//   forward:  nonce u64, target ip u32, target port u16 (supernode -> partner)
// The supernode acknowledges a redirect it forwarded with a ProbeResponse (net/probe)
// carrying the nonce, and the partner answers the target with another one, so the node
// matches both like probe answers and tells them apart by their source. The padding
// keeps those two 17-byte answers within twice the redirect's size (no amplification).
struct ProbeRedirect {
  uint64_t nonce = 0;
  friend bool operator==(const ProbeRedirect&, const ProbeRedirect&) = default;
};

struct ProbeForward {
  uint64_t nonce = 0;
  Endpoint target;  // the redirect's source as the first supernode saw it; never 0.0.0.0 or port 0
  friend bool operator==(const ProbeForward&, const ProbeForward&) = default;
};

inline constexpr size_t kProbeRedirectPadding = 16;
inline constexpr size_t kProbeRedirectSize = wire::kHeaderSize + 8 + kProbeRedirectPadding;
inline constexpr size_t kProbeForwardSize = wire::kHeaderSize + 8 + 4 + 2;
// What a spoofed redirect can aim at its victim: the acknowledgement and the partner's probe.
static_assert(2 * (wire::kHeaderSize + 8 + 4 + 2) <= 2 * kProbeRedirectSize, "redirect would amplify");

Bytes encode_probe_redirect(const ProbeRedirect& redirect);
// Whole datagram (header included); exactly one message with all-zero padding.
Decoded<ProbeRedirect> decode_probe_redirect(ByteView datagram);

// Precondition: forward.target has a non-zero ip and port (what the decoder accepts).
Bytes encode_probe_forward(const ProbeForward& forward);
Decoded<ProbeForward> decode_probe_forward(ByteView datagram);

}  // namespace koe
