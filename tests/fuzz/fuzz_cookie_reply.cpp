// libFuzzer harness for kCookieReply: the codec must round-trip, and an
// initiator fed the datagram (raw or a mutation of a real reply from a responder
// under load) either counts a drop or holds a cookie that the responder then
// accepts on the retransmitted initiation.
#include <cstdint>

#include "net/handshake_messages.hpp"
#include "tests/fuzz/secure_fuzz_fixture.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace koe;
  static fuzz::FuzzNode responder(2);
  static Bytes valid;
  static const bool ready = [] {
    Bytes initiation;
    fuzz::initiator_with_pending_handshake(&initiation);
    responder.manager.set_under_load(true);
    responder.manager.on_datagram(fuzz::kNow, fuzz::kEndpointA, initiation);
    valid = fuzz::take_first(responder, wire::PacketType::kCookieReply);
    return true;
  }();
  (void)ready;
  const Bytes datagram = fuzz::datagram_from_input(data, size, valid);
  fuzz::check_round_trip(decode_cookie_reply(datagram), datagram);

  auto initiator = fuzz::initiator_with_pending_handshake();
  initiator->manager.on_datagram(fuzz::kNow, fuzz::kEndpointB, datagram);
  if (initiator->manager.drops().total() != 0) {
    if (fuzz::is_pristine(data, size)) std::abort();
    return 0;
  }

  // Accepted: the retransmission must carry a mac2 the responder takes.
  const TimePoint later = fuzz::kNow + std::chrono::milliseconds(250);
  initiator->manager.on_timer(later);
  const Bytes retransmission = fuzz::take_first(*initiator, wire::PacketType::kHandshakeInitiation);
  const uint64_t cookies_demanded = responder.manager.drops()[DropReason::kCookieRequired];
  responder.manager.on_datagram(later, fuzz::kEndpointA, retransmission);
  responder.manager.take_outbox();
  if (responder.manager.drops()[DropReason::kCookieRequired] != cookies_demanded) std::abort();
  return 0;
}
