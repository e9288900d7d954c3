#include "net/hole_punch.hpp"

#include <algorithm>

namespace koe {

namespace {

constexpr size_t kMaxSentProbes = 1024;    // acks older than this many probes are ignored
constexpr size_t kMaxPeerReflexive = 8;    // distinct sources of the peer's probes we try back

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
  const uint64_t nonce = random_.next_u64();
  outbox_.push_back({target.to, encode_punch(wire::PacketType::kPunchProbe, keys_.mac_key,
                                             PunchMessage{keys_.id, nonce, keys_.local_role, target.to})});
  sent_.push_back({nonce, target, now});
  if (sent_.size() > kMaxSentProbes) sent_.pop_front();
  last_sent_to_[target.to] = now;
  ++attempt_probes_;
  ++probes_sent_;
  return true;
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
  for (const PunchTarget& t : plan_.basic) {
    if (!lan_only || t.kind == PunchPathKind::kLan) send(t);
  }
  if (!lan_only && !plan_.guesses.empty()) {
    while (allowance > 0 && (plan_.cycle_guesses || guess_cursor_ < plan_.guesses.size())) {
      if (!send(plan_.guesses[guess_cursor_++ % plan_.guesses.size()])) break;
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

bool HolePunch::on_datagram(TimePoint now, const Endpoint& from, ByteView bytes) {
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
    on_probe(now, from, *message);
  } else {
    on_ack(now, from, *message);
  }
  return true;
}

void HolePunch::on_probe(TimePoint now, const Endpoint& from, const PunchMessage& probe) {
  if (ack_allowed(now)) {
    outbox_.push_back({from, encode_punch(wire::PacketType::kPunchAck, keys_.mac_key,
                                          PunchMessage{keys_.id, probe.nonce, keys_.local_role, from})});
  }
  if (state_ == HolePunchState::kConnected) return;
  // The peer reaches us from `from`: probe back there at once (a triggered check), so
  // our ack from the peer comes within one round trip even between our rounds.
  const auto known = [&](const std::vector<PunchTarget>& list) {
    return std::any_of(list.begin(), list.end(), [&](const PunchTarget& t) { return t.to == from; });
  };
  PunchTarget target{from, PunchPathKind::kPeerReflexive};
  if (const auto it = std::find_if(plan_.basic.begin(), plan_.basic.end(), [&](const PunchTarget& t) { return t.to == from; });
      it != plan_.basic.end()) {
    target = *it;
  } else if (!known(peer_reflexive_)) {
    if (peer_reflexive_.size() >= kMaxPeerReflexive) return;  // replays from many places
    peer_reflexive_.push_back(target);
  }
  const auto last = last_sent_to_.find(from);
  if (last == last_sent_to_.end() || now - last->second >= config_.round_interval) send_probe(now, target, true);
}

void HolePunch::on_ack(TimePoint now, const Endpoint& from, const PunchMessage& ack) {
  if (state_ == HolePunchState::kConnected) return;
  const auto sent = std::find_if(sent_.rbegin(), sent_.rend(), [&](const SentProbe& s) { return s.nonce == ack.nonce; });
  // The ack must come from where the probe went: a third party replaying it from
  // elsewhere cannot steer the path to itself.
  if (sent == sent_.rend() || sent->target.to != from) {
    ++rejected_;
    return;
  }
  result_ = PunchResult{from, sent->target.kind, now - sent->at, attempt_, probes_sent_};
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
