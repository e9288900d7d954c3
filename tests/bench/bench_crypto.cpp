// Secure-session costs: seal+open of 80-byte voice payloads (datagrams per second
// per core) with the bytes each datagram carries beyond the payload, the full
// session path through SessionManager, handshake cost, and the cheap mac1 gate.
#include <benchmark/benchmark.h>

#include <array>

#include "net/cookie.hpp"
#include "net/handshake.hpp"
#include "net/identity.hpp"
#include "net/random.hpp"
#include "net/session_cipher.hpp"
#include "net/session_manager.hpp"

namespace koe {
namespace {

constexpr size_t kVoicePayload = 80;
const Endpoint kA{Endpoint::make_ip(127, 0, 0, 1), 40001};
const Endpoint kB{Endpoint::make_ip(127, 0, 0, 2), 40002};

Identity identity(uint8_t n) {
  std::array<uint8_t, kSecretSeedSize> seed{};
  seed.fill(n);
  return Identity::from_seed(seed);
}

TransportKeys keys_filled(uint8_t send, uint8_t receive) {
  TransportKeys keys;
  keys.send.fill(send);
  keys.receive.fill(receive);
  return keys;
}

// Seal on one side, open on the other: one voice datagram's crypto, both ends.
void BM_SealOpenVoiceFrame(benchmark::State& state) {
  noise::init_crypto();
  const uint64_t limit = SessionLimits{}.reject_after_messages;
  SessionCipher sender(keys_filled(1, 2), 1, 2, TimePoint{}, true, limit);
  SessionCipher receiver(keys_filled(2, 1), 2, 1, TimePoint{}, false, limit);
  const Bytes voice(kVoicePayload, 0x33);
  Bytes frame, plaintext;
  frame.reserve(256);
  for (auto _ : state) {
    frame.clear();
    sender.seal(voice, FrameChannel::kEnet, frame);
    const auto failure = receiver.open(*decode_sealed_frame(frame), FrameChannel::kEnet, plaintext);
    if (failure) state.SkipWithError("open failed");
    benchmark::DoNotOptimize(plaintext.data());
  }
  state.SetItemsProcessed(state.iterations());
  // Bytes beyond the voice payload: inside ENet (beyond ENet's own header), and
  // in our own kSessionData datagram (which has no ENet header at all).
  state.counters["overhead_in_enet_bytes"] = static_cast<double>(frame.size() - kVoicePayload);
  state.counters["overhead_session_data_bytes"] = static_cast<double>(kSessionDataOverhead);
}
BENCHMARK(BM_SealOpenVoiceFrame);

// The whole path: SessionManager::send -> kSessionData datagram -> on_datagram
// at the peer -> data event (dispatch, index lookup, allocations included).
void BM_SessionDataThroughManagers(benchmark::State& state) {
  SeededRandom ra(1), rb(2);
  const Identity ia = identity(1), ib = identity(2);
  SessionManager a(ia.public_key(), ia.secret_key().first<64>(), ra);
  SessionManager b(ib.public_key(), ib.secret_key().first<64>(), rb);
  const TimePoint now = TimePoint{} + std::chrono::seconds(1);
  a.connect(now, ib.public_key(), kB);
  for (int round = 0; round < 3; ++round) {
    for (auto& d : a.take_outbox()) b.on_datagram(now, kA, d.bytes);
    for (auto& d : b.take_outbox()) a.on_datagram(now, kB, d.bytes);
  }
  b.take_events();
  if (!b.established(ia.public_key())) state.SkipWithError("no session");
  const Bytes voice(kVoicePayload, 0x33);
  for (auto _ : state) {
    a.send(now, ib.public_key(), voice);
    for (auto& d : a.take_outbox()) b.on_datagram(now, kA, d.bytes);
    benchmark::DoNotOptimize(b.take_events());
  }
  state.SetItemsProcessed(state.iterations());
  if (b.drops().total() != 0) state.SkipWithError("datagrams dropped");
}
BENCHMARK(BM_SessionDataThroughManagers);

// One complete handshake, both sides' work: 3 DH at the initiator, 4 at the responder.
void BM_HandshakeBothSides(benchmark::State& state) {
  const Identity ia = identity(1), ib = identity(2);
  const LocalStatic la = *LocalStatic::from_identity(ia.public_key(), ia.secret_key().first<64>());
  const LocalStatic lb = *LocalStatic::from_identity(ib.public_key(), ib.secret_key().first<64>());
  SeededRandom random(3);
  noise::Key seed_i, seed_r;
  uint64_t t = 1;
  for (auto _ : state) {
    random.fill(seed_i);
    random.fill(seed_r);
    auto initiator = InitiatorHandshake::start(la, ib.public_key(), 1,
                                               tai64n(std::chrono::seconds(t++)), seed_i);
    auto responder = ResponderHandshake::consume(lb, initiator->message());
    auto reply = responder->respond(2, seed_r);
    auto keys = initiator->consume_response(la, reply->message);
    if (!keys) state.SkipWithError("handshake failed");
    benchmark::DoNotOptimize(keys->send.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HandshakeBothSides);

// The responder's share alone: what a flood of valid initiations costs.
void BM_HandshakeResponderOnly(benchmark::State& state) {
  const Identity ia = identity(1), ib = identity(2);
  const LocalStatic la = *LocalStatic::from_identity(ia.public_key(), ia.secret_key().first<64>());
  const LocalStatic lb = *LocalStatic::from_identity(ib.public_key(), ib.secret_key().first<64>());
  noise::Key seed;
  seed.fill(9);
  auto initiator =
      InitiatorHandshake::start(la, ib.public_key(), 1, tai64n(std::chrono::seconds(1)), seed);
  for (auto _ : state) {
    auto responder = ResponderHandshake::consume(lb, initiator->message());
    auto reply = responder->respond(2, seed);
    benchmark::DoNotOptimize(reply->keys.send.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HandshakeResponderOnly);

// The cheap gate every handshake datagram passes before any DH.
void BM_Mac1Check(benchmark::State& state) {
  noise::Key responder;
  responder.fill(7);
  CookieChecker checker(responder);
  CookieGenerator generator(responder);
  Bytes message = encode(HandshakeInitiation{});
  generator.add_macs(message, TimePoint{});
  for (auto _ : state) benchmark::DoNotOptimize(checker.check_mac1(message));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Mac1Check);

}  // namespace
}  // namespace koe
