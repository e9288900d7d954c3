// libFuzzer harness for control messages (payloads a peer sends on the reliable channel)
// and the cores that consume them. Arbitrary bytes must never crash; an accepted
// payload must re-encode to the identical bytes and decode again equal; fed to the
// contact, presence and call cores (the sender is a contact, with call ID 1 ringing
// at our end in one call core and at its end in another), the cores must only ever
// produce messages that encode, and a contact list that saves and reloads unchanged.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "app/call_signalling.hpp"
#include "app/contact_requests.hpp"
#include "app/control_messages.hpp"
#include "app/presence.hpp"

namespace {

koe::NodeId node_id(uint8_t n) {
  koe::NodeId id;
  id.bytes.fill(n);
  return id;
}

// Makes every "random" call ID 1, so the fuzzer's messages can name our outgoing call.
class CallIdOne final : public koe::Random {
 public:
  void fill(koe::MutableByteView out) override {
    const uint64_t one = 1;
    std::memset(out.data(), 0, out.size());
    std::memcpy(out.data(), &one, std::min(out.size(), sizeof one));
  }
};

void check_encodes(const std::vector<koe::OutgoingControl>& outbox) {
  for (const auto& out : outbox) {
    if (!koe::encode_control_message(out.message)) std::abort();
  }
}

// Runs a call core's timers until its call is over (or a few rounds have passed).
void run_out(koe::CallSignalling& calls, koe::TimePoint now) {
  for (int i = 0; i < 8 && calls.next_timeout() != koe::kNever; ++i) {
    now = std::max(now, calls.next_timeout());
    calls.on_timer(now);
  }
  check_encodes(calls.take_outbox());
}

// Feeds `message` from `peer` to fresh cores in which `peer` is a contact, then runs
// their timers past every deadline.
void feed_cores(const koe::ControlMessage& message) {
  using namespace koe;
  const NodeId self = node_id(1);
  const NodeId peer = node_id(2);
  ContactList contacts;
  contacts.put({peer, ContactState::kAccepted, "peer", ""});
  TimePoint now{std::chrono::seconds(100)};

  ContactRequests requests(contacts, self, "me");
  PresenceTracker presence(contacts);
  CallIdOne random;
  CallSignalling incoming(random, contacts, self);
  CallSignalling outgoing(random, contacts, self);
  presence.set_own(now, OwnPresence::kOnline);
  incoming.on_message(now, peer, CallInvite{1});
  if (!outgoing.start_call(now, peer)) std::abort();

  if (const auto* request = std::get_if<ContactRequest>(&message)) requests.on_request(peer, *request);
  if (const auto* response = std::get_if<ContactResponse>(&message)) requests.on_response(peer, *response);
  if (const auto* update = std::get_if<PresenceUpdate>(&message)) presence.on_update(now, peer, update->state);
  for (CallSignalling* calls : {&incoming, &outgoing}) {
    calls->on_message(now, peer, message);
    run_out(*calls, now);
  }
  presence.on_timer(now + std::chrono::minutes(5));

  check_encodes(requests.take_outbox());
  check_encodes(presence.take_outbox());
  auto reloaded = parse_contacts(encode_contacts(contacts));
  if (!reloaded || !(*reloaded == contacts)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace koe;
  const auto decoded = decode_control_message(ByteView(data, size));
  if (!decoded) return 0;

  const auto encoded = encode_control_message(*decoded);
  if (!encoded || encoded->size() != size || std::memcmp(encoded->data(), data, size) != 0) std::abort();
  const auto again = decode_control_message(*encoded);
  if (!again || !(*again == *decoded)) std::abort();

  feed_cores(*decoded);
  return 0;
}
