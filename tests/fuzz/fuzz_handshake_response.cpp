// libFuzzer harness for kHandshakeResponse: the codec must round-trip, and an
// initiator waiting for exactly this response, fed the datagram (raw or a
// mutation of the real response), either establishes or counts a drop.
#include <cstdint>

#include "net/handshake_messages.hpp"
#include "tests/fuzz/secure_fuzz_fixture.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace koe;
  static Bytes valid;
  static const bool ready = [] {
    Bytes initiation;
    fuzz::initiator_with_pending_handshake(&initiation);
    fuzz::FuzzNode responder(2);
    responder.manager.on_datagram(fuzz::kNow, fuzz::kEndpointA, initiation);
    valid = fuzz::take_first(responder, wire::PacketType::kHandshakeResponse);
    return true;
  }();
  (void)ready;
  const Bytes datagram = fuzz::datagram_from_input(data, size, valid);
  fuzz::check_round_trip(decode_handshake_response(datagram), datagram);

  auto initiator = fuzz::initiator_with_pending_handshake();
  initiator->manager.on_datagram(fuzz::kNow, fuzz::kEndpointB, datagram);
  const bool established = initiator->manager.established(fuzz::fixed_identity(2).public_key());
  if (established == (initiator->manager.drops().total() != 0)) std::abort();
  if (fuzz::is_pristine(data, size) && !established) std::abort();
  return 0;
}
