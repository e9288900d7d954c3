// libFuzzer harness for the hole-punch messages, the punch offer and the HolePunch
// core: arbitrary bytes never crash; an accepted offer or message re-encodes to the
// identical bytes; the core's answers stay within the datagram limit and never grow a
// datagram (no amplification), also from spray sockets when it punches by birthday. A 42-byte input is also fed with its MAC made valid, so
// mutations reach the probe and ack handling behind the MAC check.
#include <cstdint>
#include <cstdlib>

#include "net/hole_punch.hpp"
#include "net/punch_messages.hpp"
#include "net/random.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace koe;

const Endpoint kFrom{Endpoint::make_ip(203, 0, 113, 2), 2000};
const TimePoint kStart = TimePoint{} + std::chrono::seconds(10);

PunchOffer offer(uint8_t fill, uint32_t ip, NatMapping mapping) {
  PunchOffer o;
  o.secret.fill(fill);
  o.nat.mapping = mapping;
  o.nat.allocation = mapping == NatMapping::kEndpointDependent ? PortAllocation::kSequential : PortAllocation::kUnknown;
  o.nat.port_step = mapping == NatMapping::kEndpointDependent ? 1 : 0;
  o.nat.last_port = 2000;
  o.candidates = {{CandidateKind::kLan, {Endpoint::make_ip(192, 168, 1, fill), 5000}}, {CandidateKind::kReflexive, {ip, 2000}}};
  return o;
}

const PunchOffer& ours() {
  static const PunchOffer o = offer(1, Endpoint::make_ip(203, 0, 113, 1), NatMapping::kEndpointIndependent);
  return o;
}
const PunchOffer& theirs() {
  static const PunchOffer o = offer(2, kFrom.ip, NatMapping::kEndpointDependent);
  return o;
}
const PunchKeys& keys() {
  static const PunchKeys k = *derive_punch_keys(ours().secret, theirs().secret);
  return k;
}


void check_codecs(ByteView input) {
  if (const auto decoded = decode_punch_offer(input)) {
    const auto encoded = encode_punch_offer(*decoded);
    if (!encoded || !fuzz::same_bytes(*encoded, input)) std::abort();
    const auto again = decode_punch_offer(*encoded);
    if (!again || !(*again == *decoded)) std::abort();
  }
  for (const auto type : {wire::PacketType::kPunchProbe, wire::PacketType::kPunchAck}) {
    const auto message = decode_punch(type, input);
    if (!message) continue;
    const Bytes encoded = encode_punch(type, keys().mac_key, *message);
    if (!punch_mac_valid(keys().mac_key, encoded)) std::abort();
    if (punch_mac_valid(keys().mac_key, input) && !fuzz::same_bytes(encoded, input)) std::abort();
    const auto again = decode_punch(type, encoded);
    if (!again || !(*again == *message)) std::abort();
  }
}

// Our side sprays (random symmetric vs the peer's cone): the input arrives on one of
// four open spray sockets, chosen by its first byte.
const PunchOffer& spraying_ours() {
  static const PunchOffer o = [] {
    PunchOffer sprayer = offer(1, Endpoint::make_ip(203, 0, 113, 1), NatMapping::kEndpointDependent);
    sprayer.nat.allocation = PortAllocation::kRandom;
    sprayer.nat.port_step = 0;
    return sprayer;
  }();
  return o;
}
const PunchOffer& cone_theirs() {
  static const PunchOffer o = offer(2, kFrom.ip, NatMapping::kEndpointIndependent);
  return o;
}

void check_sizes(const std::vector<OutDatagram>& outbox, const std::vector<SprayDatagram>& spray, uint32_t sockets) {
  for (const auto& out : outbox)
    if (out.bytes.size() != kPunchMessageSize) std::abort();
  for (const auto& out : spray)
    if (out.bytes.size() != kPunchMessageSize || out.socket == 0 || out.socket > sockets) std::abort();
}

void feed_core(ByteView input, bool spraying) {
  constexpr uint32_t kSockets = 4;
  SeededRandom random(7);
  HolePunch punch(random, keys(), spraying ? spraying_ours() : ours(), spraying ? cone_theirs() : theirs());
  punch.start(kStart);
  punch.on_timer(kStart);
  if (spraying) punch.set_spray_sockets(punch.spray_generation(), kSockets);
  punch.take_outbox();
  punch.take_spray_outbox();
  const uint16_t socket = spraying && !input.empty() ? static_cast<uint16_t>(1 + input[0] % kSockets) : kSharedSocket;
  punch.on_datagram(kStart + std::chrono::milliseconds(5), kFrom, input, socket);
  punch.on_timer(kStart + std::chrono::milliseconds(60));
  check_sizes(punch.take_outbox(), punch.take_spray_outbox(), kSockets);
  for (const auto& event : punch.take_events())
    if (event.result && event.result->socket != socket) std::abort();  // a path only where the input came
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView input(data, size);
  check_codecs(input);
  feed_core(input, false);
  feed_core(input, true);
  if (size == kPunchMessageSize) {
    // The same bytes with a valid MAC: reaches everything behind the check.
    Bytes signed_input(data, data + size - noise::kMacSize);
    const noise::Mac mac = noise::keyed_mac(keys().mac_key, signed_input);
    signed_input.insert(signed_input.end(), mac.begin(), mac.end());
    check_codecs(signed_input);
    feed_core(signed_input, false);
    feed_core(signed_input, true);
  }
  return 0;
}
