#include "app/control_plane.hpp"

#include <algorithm>

namespace koe {

namespace {
// Taken every pump; a bound against a burst between two.
constexpr size_t kMaxPendingIntroductions = 64;
}  // namespace

ControlPlane::ControlPlane(Random& random, const NodeId& self, std::string display_name, ContactList contacts,
                           ControlPlaneConfig config)
    : contacts_(std::move(contacts)),
      requests_(contacts_, self, std::move(display_name)),
      presence_(contacts_, config.presence),
      calls_(random, contacts_, self, config.calls) {}

bool ControlPlane::on_payload(TimePoint now, const NodeId& from, ByteView payload) {
  auto message = decode_control_message(payload);
  if (!message) {
    ++malformed_;
    return false;
  }
  if (std::holds_alternative<Introduce>(*message) || std::holds_alternative<IntroductionFrom>(*message)) {
    if (introductions_.size() < kMaxPendingIntroductions) introductions_.push_back({from, std::move(*message)});
    return true;
  }
  calls_.on_peer_activity(now, from);
  if (calls_.on_message(now, from, *message)) return true;
  if (const auto* request = std::get_if<ContactRequest>(&*message)) {
    requests_.on_request(from, *request);
  } else if (const auto* response = std::get_if<ContactResponse>(&*message)) {
    requests_.on_response(from, *response);
  } else if (const auto* update = std::get_if<PresenceUpdate>(&*message)) {
    presence_.on_update(now, from, update->state);
  } else {
    ++malformed_;
  }
  return true;
}

void ControlPlane::on_peer_reachable(TimePoint now, const NodeId& peer) {
  if (contacts_.is_accepted(peer)) presence_.on_contact_reachable(now, peer);
  calls_.on_link_up(peer);
}

void ControlPlane::on_timer(TimePoint now) {
  if (presence_.next_timeout() <= now) presence_.on_timer(now);
  if (calls_.next_timeout() <= now) calls_.on_timer(now);
}

TimePoint ControlPlane::next_timeout() const { return std::min(presence_.next_timeout(), calls_.next_timeout()); }

std::vector<OutgoingControl> ControlPlane::take_outbox() {
  std::vector<OutgoingControl> out = requests_.take_outbox();
  for (auto& message : presence_.take_outbox()) out.push_back(std::move(message));
  for (auto& message : calls_.take_outbox()) out.push_back(std::move(message));
  return out;
}

}  // namespace koe
