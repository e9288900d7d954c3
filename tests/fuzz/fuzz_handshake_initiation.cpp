// libFuzzer harness for kHandshakeInitiation: the codec must round-trip, and a
// responder fed the datagram (raw, or a mutation of a real initiation, normally
// and under load) must only ever answer or count a drop, never crash.
#include <cstdint>

#include "net/handshake_messages.hpp"
#include "tests/fuzz/secure_fuzz_fixture.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace koe;
  static Bytes valid;
  static const bool ready = (fuzz::initiator_with_pending_handshake(&valid), true);
  (void)ready;
  const Bytes datagram = fuzz::datagram_from_input(data, size, valid);
  fuzz::check_round_trip(decode_handshake_initiation(datagram), datagram);

  fuzz::FuzzNode responder(2);
  responder.manager.set_under_load(size > 1 && (data[size - 1] & 0x80));
  responder.manager.on_datagram(fuzz::kNow, fuzz::kEndpointA, datagram);
  const auto out = responder.manager.take_outbox();
  // Exactly one outcome: a response, a drop, or (under load) a cookie reply and its drop.
  const uint64_t drops = responder.manager.drops().total();
  if (drops > 1 || out.size() > 1 || (drops == 0 && out.size() != 1)) std::abort();
  if (fuzz::is_pristine(data, size) && drops != 0) std::abort();
  return 0;
}
