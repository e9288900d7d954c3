#include "net/hole_punch.hpp"

#include <algorithm>

namespace koe {

namespace {

constexpr size_t kMaxSentProbes = 1024;    // acks older than this many probes are ignored
constexpr size_t kMaxPeerReflexive = 8;    // distinct sources of the peer's probes we try back

uint64_t target_key(const Endpoint& to, uint16_t socket) {
  return (uint64_t{to.ip} << 32) | (uint64_t{to.port} << 16) | socket;
}

}  // namespace

Duration punch_start_delay(Duration signalling_rtt, bool sent_last_message) {
  return sent_last_message ? signalling_rtt / 2 : Duration{0};
}

HolePunch::HolePunch(Random& random, const PunchKeys& keys, const PunchOffer& ours, const PunchOffer& theirs,
                     HolePunchConfig config)
    : random_(random),
      keys_(keys),
      ours_(ours),
      theirs_(theirs),
      config_(config),
      plan_(make_punch_plan(ours, theirs, random, config.plan)) {}

void HolePunch::start(TimePoint at) {
  if (state_ != HolePunchState::kWaiting) return;
  started_ = at;
  state_ = HolePunchState::kPunching;
  if (plan_.hopeless) {
    // Report at once so the call goes to a relay without waiting; nothing to retry,
    // but the peer's probes are still answered.
    fail();
    return;
  }
  next_attempt_ = at;
}

void HolePunch::fail() {
  failed_reported_ = true;
  state_ = HolePunchState::kBackground;
  events_.push_back({HolePunchEvent::Kind::kFailed, std::nullopt});
}

void HolePunch::begin_attempt(TimePoint now) {
  ++attempt_;
  if (attempt_ > 1) plan_ = make_punch_plan(ours_, theirs_, random_, config_.plan);  // fresh random guesses
  if (plan_.spray_sockets > 0) {
    ++spray_generation_;  // fresh sockets: fresh random mappings on our NAT
    spray_open_ = 0;
  }
  attempt_start_ = now;
  round_ = 0;
  attempt_probes_ = 0;
  guess_cursor_ = 0;
  last_sent_to_.clear();  // only recent sends matter; random guesses change every attempt
  next_attempt_ = kNever;
  next_round_ = now;
}

bool HolePunch::send_probe(TimePoint now, const PunchTarget& target, bool triggered) {
  if (!triggered && attempt_probes_ >= config_.max_probes_per_attempt) return false;
  if (target.socket > spray_open_) return false;  // that spray socket is not open (yet)
  const uint64_t nonce = random_.next_u64();
  send(target.socket, target.to,
       encode_punch(wire::PacketType::kPunchProbe, keys_.mac_key, PunchMessage{keys_.id, nonce, keys_.local_role, target.to}));
  sent_.push_back({nonce, target, now});
  if (sent_.size() > kMaxSentProbes) sent_.pop_front();
  last_sent_to_[target_key(target.to, target.socket)] = now;
  ++attempt_probes_;
  ++probes_sent_;
  return true;
}

void HolePunch::send(uint16_t socket, const Endpoint& to, Bytes bytes) {
  if (socket == kSharedSocket) {
    outbox_.push_back({to, std::move(bytes)});
  } else {
    spray_outbox_.push_back({socket, to, std::move(bytes)});
  }
}

void HolePunch::set_spray_sockets(uint32_t generation, uint32_t open) {
  if (generation == spray_generation_) spray_open_ = std::min(open, plan_.spray_sockets);
}

void HolePunch::run_round(TimePoint now) {
  const auto per_round = static_cast<uint32_t>(std::max<int64_t>(
      1, config_.probes_per_second * config_.round_interval.count() / 1'000'000));
  uint32_t allowance = per_round;
  const auto send = [&](const PunchTarget& t) {
    if (allowance == 0 || !send_probe(now, t, false)) return false;
    --allowance;
    return true;
  };
  const bool lan_only = plan_.lan_first && round_ == 0;  // LAN gets a round's head start
  for (const PunchTarget& t : peer_reflexive_) send(t);
  if (round_ % plan_.basic_every_rounds == 0) {
    for (const PunchTarget& t : plan_.basic) {
      if (!lan_only || t.kind == PunchPathKind::kLan) send(t);
    }
  }
  if (!lan_only && !plan_.guesses.empty()) {
    while (allowance > 0 && (plan_.cycle_guesses || guess_cursor_ < plan_.guesses.size())) {
      if (!send(plan_.guesses[guess_cursor_ % plan_.guesses.size()])) break;
      ++guess_cursor_;
    }
  }
  ++round_;
  const TimePoint next = now + config_.round_interval;
  if (attempt_probes_ >= config_.max_probes_per_attempt || next >= attempt_start_ + config_.attempt_length) {
    next_round_ = kNever;
    pause_ = attempt_ == 1 ? config_.background_pause : std::min(pause_ * 2, config_.background_pause_max);
    next_attempt_ = now + pause_;
  } else {
    next_round_ = next;
  }
}

bool HolePunch::ack_allowed(TimePoint now) {
  if (now - ack_window_ >= std::chrono::seconds(1)) {
    ack_window_ = now;
    acks_in_window_ = 0;
  }
  if (acks_in_window_ >= config_.acks_per_second) return false;
  ++acks_in_window_;
  return true;
}

bool HolePunch::on_datagram(TimePoint now, const Endpoint& from, ByteView bytes, uint16_t socket) {
  const auto header = wire::decode_header(bytes);
  if (!header || (header->type != wire::PacketType::kPunchProbe && header->type != wire::PacketType::kPunchAck)) {
    return false;
  }
  const auto message = decode_punch(header->type, bytes);
  if (!message || message->id != keys_.id) return false;
  // Ours from here on: anything that fails is dropped, never handed elsewhere.
  if (!punch_mac_valid(keys_.mac_key, bytes) || message->role == keys_.local_role) {
    ++rejected_;
    return true;
  }
  if (state_ == HolePunchState::kStopped || state_ == HolePunchState::kWaiting) return true;
  if (header->type == wire::PacketType::kPunchProbe) {
    on_probe(now, from, socket, *message);
  } else {
    on_ack(now, from, socket, *message);
  }
  return true;
}

void HolePunch::on_probe(TimePoint now, const Endpoint& from, uint16_t socket, const PunchMessage& probe) {
  if (ack_allowed(now)) {
    send(socket, from,
         encode_punch(wire::PacketType::kPunchAck, keys_.mac_key, PunchMessage{keys_.id, probe.nonce, keys_.local_role, from}));
  }
  if (state_ == HolePunchState::kConnected) return;
  // The peer reaches us from `from` (on `socket`): probe back there at once (a
  // triggered check), so our ack from the peer comes within one round trip even
  // between our rounds.
  PunchTarget target{from, PunchPathKind::kPeerReflexive, socket};
  const auto same = [&](const PunchTarget& t) { return t.to == from && t.socket == socket; };
  if (const auto it = std::find_if(plan_.basic.begin(), plan_.basic.end(), same); it != plan_.basic.end()) {
    target = *it;
  } else if (std::none_of(peer_reflexive_.begin(), peer_reflexive_.end(), same)) {
    if (peer_reflexive_.size() >= kMaxPeerReflexive) return;  // replays from many places
    peer_reflexive_.push_back(target);
  }
  const auto last = last_sent_to_.find(target_key(from, socket));
  if (last == last_sent_to_.end() || now - last->second >= config_.round_interval) send_probe(now, target, true);
}

void HolePunch::on_ack(TimePoint now, const Endpoint& from, uint16_t socket, const PunchMessage& ack) {
  if (state_ == HolePunchState::kConnected) return;
  const auto sent = std::find_if(sent_.rbegin(), sent_.rend(), [&](const SentProbe& s) { return s.nonce == ack.nonce; });
  // The ack must come from where the probe went, to the socket it left from: a third
  // party replaying it from elsewhere cannot steer the path to itself.
  if (sent == sent_.rend() || sent->target.to != from || sent->target.socket != socket) {
    ++rejected_;
    return;
  }
  result_ = PunchResult{from, sent->target.kind, now - sent->at, attempt_, probes_sent_, socket};
  state_ = HolePunchState::kConnected;
  next_round_ = kNever;
  next_attempt_ = kNever;
  events_.push_back({HolePunchEvent::Kind::kDirect, result_});
}

void HolePunch::on_timer(TimePoint now) {
  if (state_ == HolePunchState::kStopped || state_ == HolePunchState::kConnected) return;
  if (next_attempt_ <= now) begin_attempt(now);
  if (!failed_reported_ && now >= started_ + config_.give_up_after) fail();
  if (next_round_ <= now) run_round(now);
}

TimePoint HolePunch::next_timeout() const {
  if (state_ == HolePunchState::kStopped || state_ == HolePunchState::kConnected) return kNever;
  TimePoint next = std::min(next_round_, next_attempt_);
  if (!failed_reported_ && started_ != kNever) next = std::min(next, started_ + config_.give_up_after);
  return next;
}

}  // namespace koe
