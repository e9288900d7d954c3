#include "net/peer_session.hpp"

#include <sodium.h>

#include <algorithm>

namespace koe {

namespace {

// A fresh X25519 seed from the node's random source.
noise::Key ephemeral_seed(Random& random) {
  noise::Key seed;
  random.fill(seed);
  return seed;
}

// Adds one nanosecond to a TAI64N timestamp (a big-endian 96-bit number).
void increment(Timestamp& timestamp) {
  for (auto it = timestamp.rbegin(); it != timestamp.rend(); ++it) {
    if (++*it != 0) return;
  }
}

}  // namespace

PeerSession::PeerSession(SessionContext& context, const noise::Key& peer_identity)
    : ctx_(context), peer_(peer_identity), cookies_(peer_identity) {}

PeerSession::~PeerSession() {
  if (pending_index_ != 0) ctx_.indices.release(pending_index_);
  for (Keypair* keypair : {&previous_, &current_, &next_}) retire(*keypair);
}

// --- our handshake, as initiator --------------------------------------------

void PeerSession::start_handshake(TimePoint now) {
  if (pending_index_ != 0) return;
  pending_index_ = ctx_.indices.allocate(this);
  attempts_ = 0;
  transmit_initiation(now);
}

void PeerSession::restart_handshake(TimePoint now) {
  if (pending_index_ == 0) return start_handshake(now);
  attempts_ = 0;
  transmit_initiation(now);
}

// Every (re)transmission is a new initiation (new ephemeral key, newer
// timestamp): the responder rejects a repeated one as a replay.
void PeerSession::transmit_initiation(TimePoint now) {
  noise::Key seed = ephemeral_seed(ctx_.random);
  pending_ =
      InitiatorHandshake::start(ctx_.local, peer_, pending_index_, next_timestamp(now), seed);
  sodium_memzero(seed.data(), seed.size());
  if (!pending_) return give_up();  // the peer's key is unusable (SessionManager checks first)
  ++attempts_;
  const int doublings = std::min(attempts_ - 1, 20);
  next_retransmit_ = now + std::min(ctx_.limits.retransmit_initial * (int64_t{1} << doublings),
                                    ctx_.limits.retransmit_max);
  if (!endpoint_) return;
  Bytes bytes = encode(pending_->message());
  cookies_.add_macs(bytes, now);
  ctx_.outbox.push_back(OutDatagram{*endpoint_, std::move(bytes)});
}

void PeerSession::give_up() {
  if (pending_index_ != 0) ctx_.indices.release(pending_index_);
  pending_.reset();
  pending_index_ = 0;
  next_retransmit_ = kNever;
  queue_.clear();
  emit(SessionEvent::Kind::kFailed);
}

Timestamp PeerSession::next_timestamp(TimePoint now) {
  Timestamp timestamp = tai64n(now.time_since_epoch() + ctx_.wall_clock_offset);
  if (timestamp <= last_sent_timestamp_) {  // same instant, or a wall clock set back
    timestamp = last_sent_timestamp_;
    increment(timestamp);
  }
  last_sent_timestamp_ = timestamp;
  return timestamp;
}

void PeerSession::on_response(TimePoint now, const Endpoint& from,
                              const HandshakeResponse& response) {
  if (!pending_ || response.receiver_index != pending_index_) {
    // The index names one of our keypairs: a duplicate of the response that made it.
    const bool duplicate = keypair_with_index(response.receiver_index) != nullptr;
    ctx_.drops.add(duplicate ? DropReason::kReplay : DropReason::kUnknownSession);
    return;
  }
  auto keys = pending_->consume_response(ctx_.local, response);
  if (!keys) return ctx_.drops.add(keys.error());
  auto keypair = std::make_unique<SessionCipher>(*keys, pending_index_, response.sender_index, now,
                                                 true, ctx_.limits.reject_after_messages);
  sodium_memzero(&*keys, sizeof *keys);
  pending_.reset();
  pending_index_ = 0;  // now owned by the keypair
  next_retransmit_ = kNever;
  endpoint_ = from;
  // As WireGuard: an unconfirmed next keypair (from a simultaneous handshake
  // the peer started, which it may already send on) becomes the previous one
  // and the old current one goes; otherwise the old current one is kept.
  if (next_) {
    retire(current_);
    rotate_into_previous(next_, now);
  } else {
    rotate_into_previous(current_, now);
  }
  current_ = std::move(keypair);
  on_new_current(now);
  // The responder may use the new keypair only once it hears from us on it.
  if (queue_.empty()) send_sealed(*current_, {});
}

void PeerSession::on_cookie_reply(TimePoint now, const CookieReply& reply) {
  // A cookie reply answers our last initiation or (the peer being under load)
  // our last response; either way the cookie stamps our next message.
  const bool ours = (pending_index_ != 0 && reply.receiver_index == pending_index_) ||
                    (next_ && reply.receiver_index == next_->local_index());
  if (!ours) return ctx_.drops.add(DropReason::kUnknownSession);
  if (!cookies_.consume_reply(reply, now)) ctx_.drops.add(DropReason::kBadMac);
}

// --- the peer's handshake, us as responder ----------------------------------

void PeerSession::on_initiation(TimePoint now, const Endpoint& from,
                                const ResponderHandshake& handshake) {
  if (handshake.timestamp() <= last_accepted_timestamp_) {
    return ctx_.drops.add(DropReason::kReplay);
  }
  const uint32_t index = ctx_.indices.allocate(this);
  noise::Key seed = ephemeral_seed(ctx_.random);
  auto reply = handshake.respond(index, seed);
  sodium_memzero(seed.data(), seed.size());
  if (!reply) {
    ctx_.indices.release(index);
    return ctx_.drops.add(DropReason::kBadMac);
  }
  last_accepted_timestamp_ = handshake.timestamp();
  endpoint_ = from;
  retire(next_);
  next_ = std::make_unique<SessionCipher>(reply->keys, index, handshake.peer_index(), now, false,
                                          ctx_.limits.reject_after_messages);
  sodium_memzero(&reply->keys, sizeof reply->keys);
  Bytes bytes = encode(reply->message);
  cookies_.add_macs(bytes, now);
  ctx_.outbox.push_back(OutDatagram{from, std::move(bytes)});
}

// --- keypairs ---------------------------------------------------------------

SessionCipher* PeerSession::keypair_with_index(uint32_t local_index) {
  for (Keypair* keypair : {&current_, &next_, &previous_}) {
    if (*keypair && (*keypair)->local_index() == local_index) return keypair->get();
  }
  return nullptr;
}

TimePoint PeerSession::expiry(const SessionCipher& keypair) const {
  return keypair.created() + ctx_.limits.reject_after_time;
}

bool PeerSession::expired(const SessionCipher& keypair, TimePoint now) const {
  return now >= expiry(keypair);
}

void PeerSession::retire(Keypair& keypair) {
  if (!keypair) return;
  ctx_.indices.release(keypair->local_index());
  keypair.reset();
}

void PeerSession::rotate_into_previous(Keypair& old_current, TimePoint now) {
  retire(previous_);
  previous_ = std::move(old_current);
  previous_expires_ = now + ctx_.limits.previous_key_grace;
}

void PeerSession::promote_next(TimePoint now) {
  rotate_into_previous(current_, now);
  current_ = std::move(next_);
  const bool queued = !queue_.empty();
  on_new_current(now);
  // Tells the initiator that we use the keys now, so it stops confirming them.
  if (!queued) send_sealed(*current_, {});
}

void PeerSession::on_new_current(TimePoint now) {
  emit(ever_established_ ? SessionEvent::Kind::kRekeyed : SessionEvent::Kind::kEstablished);
  ever_established_ = true;
  flush_queue(now);
}

SessionCipher* PeerSession::usable_sender(TimePoint now) {
  if (!current_ || expired(*current_, now) ||
      current_->messages_sent() >= ctx_.limits.reject_after_messages) {
    return nullptr;
  }
  return current_.get();
}

// Rekeying is driven by traffic (as WireGuard): an idle session just expires.
void PeerSession::maybe_rekey(TimePoint now) {
  if (pending_index_ != 0 || !current_) return;
  const Duration age_limit =
      ctx_.limits.rekey_after_time +
      (current_->initiator() ? Duration{0} : ctx_.limits.responder_rekey_delay);
  if (now - current_->created() >= age_limit ||
      current_->messages_sent() >= ctx_.limits.rekey_after_messages ||
      current_->highest_received() >= ctx_.limits.rekey_after_messages) {
    start_handshake(now);
  }
}

// --- data -------------------------------------------------------------------

void PeerSession::on_data(TimePoint now, const Endpoint& from, uint32_t receiver_index,
                          const SealedFrame& frame) {
  SessionCipher* keypair = keypair_with_index(receiver_index);
  if (!keypair) return ctx_.drops.add(DropReason::kUnknownSession);
  if (expired(*keypair, now)) return ctx_.drops.add(DropReason::kExpiredKey);
  Bytes plaintext;
  if (const auto reason = keypair->open(frame, FrameChannel::kSessionData, plaintext)) {
    return ctx_.drops.add(*reason);
  }
  endpoint_ = from;  // authenticated: the peer may have roamed
  if (keypair == next_.get()) promote_next(now);
  if (!plaintext.empty()) emit(SessionEvent::Kind::kData, std::move(plaintext));
  maybe_rekey(now);
}

bool PeerSession::send(TimePoint now, ByteView plaintext) {
  if (plaintext.size() > kMaxSessionPayload || !endpoint_) return false;
  if (SessionCipher* keypair = usable_sender(now)) {
    send_sealed(*keypair, plaintext);
    maybe_rekey(now);
  } else {
    enqueue(plaintext);
    start_handshake(now);
  }
  return true;
}

std::optional<Bytes> PeerSession::seal_frame(TimePoint now, ByteView plaintext) {
  SessionCipher* keypair = usable_sender(now);
  if (!keypair) {
    start_handshake(now);
    return std::nullopt;
  }
  Bytes frame;
  frame.reserve(plaintext.size() + kSealedFrameOverhead);
  keypair->seal(plaintext, FrameChannel::kEnet, frame);
  maybe_rekey(now);
  return frame;
}

std::optional<Bytes> PeerSession::open_frame(TimePoint now, ByteView bytes) {
  const auto frame = decode_sealed_frame(bytes);
  if (!frame) {
    ctx_.drops.add(DropReason::kMalformed);
    return std::nullopt;
  }
  // ENet frames carry no index: try each live keypair, newest first. A wrong
  // keypair fails its tag check without changing any state.
  DropReason reason = DropReason::kUnknownSession;
  for (Keypair* slot : {&current_, &next_, &previous_}) {
    SessionCipher* keypair = slot->get();
    if (!keypair || expired(*keypair, now)) continue;
    Bytes plaintext;
    const auto failure = keypair->open(*frame, FrameChannel::kEnet, plaintext);
    if (!failure) {
      if (keypair == next_.get()) promote_next(now);
      maybe_rekey(now);
      return plaintext;
    }
    if (reason != DropReason::kReplay) reason = *failure;
  }
  ctx_.drops.add(reason);
  return std::nullopt;
}

void PeerSession::send_sealed(SessionCipher& keypair, ByteView plaintext) {
  if (!endpoint_) return;
  Bytes datagram = session_data_prefix(keypair.remote_index());
  if (keypair.seal(plaintext, FrameChannel::kSessionData, datagram)) {
    ctx_.outbox.push_back(OutDatagram{*endpoint_, std::move(datagram)});
  }
}

void PeerSession::enqueue(ByteView plaintext) {
  if (queue_.size() >= std::max<size_t>(ctx_.limits.max_queued_packets, 1)) {
    queue_.pop_front();
    ctx_.drops.add(DropReason::kQueueOverflow);
  }
  queue_.emplace_back(plaintext.begin(), plaintext.end());
}

void PeerSession::flush_queue(TimePoint now) {
  while (!queue_.empty()) {
    SessionCipher* keypair = usable_sender(now);
    if (!keypair) return;
    send_sealed(*keypair, queue_.front());
    queue_.pop_front();
  }
}

// --- timers -----------------------------------------------------------------

void PeerSession::on_timer(TimePoint now) {
  if (pending_index_ != 0 && now >= next_retransmit_) {
    if (attempts_ >= ctx_.limits.max_initiations) {
      give_up();
    } else {
      transmit_initiation(now);
    }
  }
  if (previous_ && (now >= previous_expires_ || expired(*previous_, now))) retire(previous_);
  if (current_ && expired(*current_, now)) retire(current_);
  if (next_ && expired(*next_, now)) retire(next_);
}

TimePoint PeerSession::next_timeout() const {
  TimePoint earliest = pending_index_ != 0 ? next_retransmit_ : kNever;
  if (previous_) earliest = std::min({earliest, previous_expires_, expiry(*previous_)});
  if (current_) earliest = std::min(earliest, expiry(*current_));
  if (next_) earliest = std::min(earliest, expiry(*next_));
  return earliest;
}

void PeerSession::emit(SessionEvent::Kind kind, Bytes data) {
  ctx_.events.push_back(SessionEvent{kind, peer_, endpoint_.value_or(Endpoint{}), std::move(data)});
}

}  // namespace koe
