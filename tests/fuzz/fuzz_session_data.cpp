// libFuzzer harness for sealed session data: kSessionData datagrams and the
// ENet-framed sealed frames. The codecs must round-trip; an established session
// fed the bytes (raw or a mutation of a real datagram) delivers only authentic
// plaintext and counts everything else.
#include <cstdint>

#include "net/handshake_messages.hpp"
#include "tests/fuzz/secure_fuzz_fixture.hpp"

namespace {

struct Established {
  koe::fuzz::FuzzNode a{1};
  koe::fuzz::FuzzNode b{2};
  koe::Bytes datagram;  // a real kSessionData from A to B
  koe::Bytes frame;     // a real ENet-framed sealed frame from A to B

  Established() {
    using namespace koe;
    a.manager.connect(fuzz::kNow, b.identity.public_key(), fuzz::kEndpointB);
    for (int round = 0; round < 4; ++round) {
      for (auto& d : a.manager.take_outbox())
        b.manager.on_datagram(fuzz::kNow, fuzz::kEndpointA, d.bytes);
      for (auto& d : b.manager.take_outbox())
        a.manager.on_datagram(fuzz::kNow, fuzz::kEndpointB, d.bytes);
    }
    const Bytes payload(80, 0x5A);
    a.manager.send(fuzz::kNow, b.identity.public_key(), payload);
    datagram = fuzz::take_first(a, wire::PacketType::kSessionData);
    frame = a.manager.seal_frame(fuzz::kNow, b.identity.public_key(), payload).value_or(Bytes{});
    b.manager.take_events();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace koe;
  static Established session;
  const bool enet = size > 1 && data[0] == fuzz::kMutateMarker && (data[1] & 1);
  const Bytes bytes =
      fuzz::datagram_from_input(data, size, enet ? session.frame : session.datagram);

  const auto message = decode_session_data(bytes);
  fuzz::check_round_trip(message, bytes);
  if (message)
    fuzz::check_round_trip(decode_sealed_frame(message->sealed_frame), message->sealed_frame);
  fuzz::check_round_trip(decode_sealed_frame(bytes), bytes);

  const uint64_t drops_before = session.b.manager.drops().total();
  const Bytes expected(80, 0x5A);
  if (enet) {
    const auto plaintext =
        session.b.manager.open_frame(fuzz::kNow, session.a.identity.public_key(), bytes);
    if (plaintext && *plaintext != expected) std::abort();  // forged plaintext accepted
    if (!plaintext && session.b.manager.drops().total() != drops_before + 1) std::abort();
  } else {
    session.b.manager.on_datagram(fuzz::kNow, fuzz::kEndpointA, bytes);
    bool delivered = false;
    for (const auto& e : session.b.manager.take_events()) {
      if (e.kind == SessionEvent::Kind::kData && e.data != expected) std::abort();
      delivered = delivered || e.kind == SessionEvent::Kind::kData;
    }
    // The real datagram is delivered once, then counted as a replay.
    const bool replayed = session.b.manager.drops()[DropReason::kReplay] > 0;
    if (fuzz::is_pristine(data, size) && !delivered && !replayed) std::abort();
  }
  session.b.manager.take_outbox();
  return 0;
}
