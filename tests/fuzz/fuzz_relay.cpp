// libFuzzer harness for the relay: the control, frame and ticket codecs must
// round-trip what they accept; a RelayServer with a live session and a RelayClient
// bound to it take arbitrary bytes from every kind of sender without crashing; the
// server never sends more than one datagram per input, never one larger than the
// input unless it is a fixed-size control answer, and forwards frames unchanged.
#include <cstdint>
#include <cstdlib>

#include "net/random.hpp"
#include "net/relay_client.hpp"
#include "net/relay_server.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace koe;

const Endpoint kRelay{Endpoint::make_ip(198, 51, 100, 9), 7000};
const Endpoint kAlice{Endpoint::make_ip(203, 0, 113, 1), 40000};
const Endpoint kBob{Endpoint::make_ip(203, 0, 113, 2), 41000};
const Endpoint kStranger{Endpoint::make_ip(198, 51, 100, 66), 1};
const TimePoint kNow = TimePoint{} + std::chrono::seconds(100);
constexpr size_t kLargestControlAnswer = wire::kHeaderSize + 1 + 8 + 4 + 2 + 2 * kRelayTicketSize;

const Identity& alice() {
  static const Identity identity = [] {
    std::array<uint8_t, kSecretSeedSize> seed{};
    seed.fill(5);
    return Identity::from_seed(seed);
  }();
  return identity;
}


void check_codecs(ByteView input) {
  if (const auto control = decode_relay_control(input)) {
    if (!fuzz::same_bytes(encode_relay_control(*control), input)) std::abort();
  }
  if (const auto frame = decode_relay_frame(input)) {
    const auto encoded = encode_relay_frame(frame->session_id, frame->payload);
    if (!encoded || !fuzz::same_bytes(*encoded, input)) std::abort();
  }
  if (const auto tickets = decode_relay_tickets(input)) {
    const auto encoded = encode_relay_tickets(*tickets);
    if (!encoded || !fuzz::same_bytes(*encoded, input)) std::abort();
  }
}

// A relay with one session: Alice allocated it, Bob joined it. Deterministic, so a seed
// in the corpus can carry the session id (see tests/fuzz/corpus/fuzz_relay).
struct Fixture {
  SeededRandom random{11};
  RelayServer server{random, kRelay, [] {
                       RelayServerConfig c;
                       c.timestamp_window = std::chrono::hours(1);
                       return c;
                     }()};
  RelayAllocated session{};
  Fixture() {
    // Signed once: the signature is what is slow, and it never changes.
    static const Bytes allocate = encode_relay_control(sign_relay_allocate(alice(), kRelay, 1, 100'000'000));
    server.on_datagram(kNow, kAlice, allocate);
    session = std::get<RelayAllocated>(*decode_relay_control(server.take_outbox().at(0).bytes));
    server.on_datagram(kNow, kBob, encode_relay_control(RelayBind{session.session_id, 1, session.tickets[1]}));
    server.take_outbox();
  }
};

void feed_server(ByteView input) {
  Fixture f;
  RelayServer& server = f.server;
  for (const Endpoint& from : {kAlice, kBob, kStranger}) {
    server.on_datagram(kNow, from, input);
    const auto out = server.take_outbox();
    if (out.size() > 1) std::abort();
    for (const auto& d : out) {
      if (d.bytes.size() > wire::kMaxDatagramSize) std::abort();
      const bool forwarded = fuzz::same_bytes(d.bytes, input);
      if (!forwarded && d.bytes.size() > kLargestControlAnswer) std::abort();
      if (forwarded && from == kStranger) std::abort();
    }
  }
  server.on_timer(kNow + std::chrono::minutes(5));
}

void feed_client(ByteView input) {
  SeededRandom random(12);
  RelayClient client(alice(), random);
  client.measure(kNow, {kRelay});
  const RelayHandle joined = client.join(kNow, RelayTicket{kRelay, 0x01020304, 1, {}});
  client.take_outbox();
  client.on_datagram(kNow, kRelay, input);
  client.on_datagram(kNow, kStranger, input);
  client.on_timer(kNow + std::chrono::seconds(1));
  client.send(joined, input.empty() ? ByteView{} : input.first(std::min(input.size(), kMaxRelayPayload)));
  for (const auto& d : client.take_outbox()) {
    if (d.bytes.size() > wire::kMaxDatagramSize) std::abort();
  }
  client.take_events();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView input(data, size);
  check_codecs(input);
  feed_server(input);
  feed_client(input);
  return 0;
}
