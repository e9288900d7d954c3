// PeerSession: the secure session with one peer (identified by its Ed25519 key):
// its keypairs (previous / current / next, as WireGuard), our pending initiation
// with retransmission backoff, rekeying, the send queue while no key can send,
// and the peer's endpoint, which only an authenticated packet may change.
// Sans-IO; owned by SessionManager and called on its (net) thread only.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "net/cookie.hpp"
#include "net/drop_counters.hpp"
#include "net/env.hpp"
#include "net/handshake.hpp"
#include "net/session_cipher.hpp"
#include "net/session_index_table.hpp"
#include "net/session_limits.hpp"

namespace koe {

struct SessionEvent {
  enum class Kind : uint8_t {
    kEstablished,  // the first keypair with this peer is in use: both sides authenticated
    kRekeyed,      // a newer keypair replaced the current one
    kData,         // a non-empty plaintext arrived in a kSessionData datagram
    kFailed,       // our handshake got no answer after every retransmission
  };
  Kind kind;
  noise::Key peer;    // the peer's Ed25519 identity public key
  Endpoint endpoint;  // the peer's (authenticated) endpoint when the event fired
  Bytes data;         // kData only
};

// What every PeerSession of one node shares; owned by SessionManager.
struct SessionContext {
  const LocalStatic& local;
  Random& random;
  const SessionLimits& limits;
  Duration wall_clock_offset;  // Unix time = now.time_since_epoch() + offset
  SessionIndexTable& indices;
  std::vector<OutDatagram>& outbox;
  std::vector<SessionEvent>& events;
  DropCounters& drops;
};

class PeerSession {
 public:
  PeerSession(SessionContext& context, const noise::Key& peer_identity);
  ~PeerSession();  // releases every index this session holds
  PeerSession(const PeerSession&) = delete;
  PeerSession& operator=(const PeerSession&) = delete;

  const noise::Key& peer() const { return peer_; }
  std::optional<Endpoint> endpoint() const { return endpoint_; }
  // Where to send handshakes until the peer authenticates from somewhere.
  void set_endpoint_hint(const Endpoint& endpoint) { endpoint_ = endpoint; }
  bool established() const { return current_ != nullptr; }
  // We answered the peer's handshake and wait for its first packet on the new keys.
  bool awaiting_confirmation() const { return next_ != nullptr; }
  // The peer is known to use our current keys: it made them (we responded) or spoke
  // on them. An initiator keeps confirming until then (see SecureTransport).
  bool confirmed_by_peer() const { return current_ && (!current_->initiator() || current_->heard_from_peer()); }
  // No keypair and no handshake in flight: nothing is lost by forgetting it.
  bool idle() const { return !current_ && !next_ && !previous_ && !pending_; }

  // Sends an initiation unless one is already in flight.
  void start_handshake(TimePoint now);
  // A fresh initiation now, also while one is pending (the endpoint changed: the
  // pending one went somewhere else).
  void restart_handshake(TimePoint now);

  // Inputs SessionManager routes here after its cheap checks (size, macs, limits).
  void on_initiation(TimePoint now, const Endpoint& from, const ResponderHandshake& handshake);
  void on_response(TimePoint now, const Endpoint& from, const HandshakeResponse& response);
  void on_cookie_reply(TimePoint now, const CookieReply& reply);
  void on_data(TimePoint now, const Endpoint& from, uint32_t receiver_index,
               const SealedFrame& frame);

  // Seals into a kSessionData datagram, or queues while no keypair can send (and
  // starts a handshake). false if the plaintext is too large or no endpoint is known.
  bool send(TimePoint now, ByteView plaintext);
  // ENet framing: the sealed frame for a payload ENet carries, or nullopt while
  // no keypair can send (a handshake is then started).
  std::optional<Bytes> seal_frame(TimePoint now, ByteView plaintext);
  // Opens a sealed frame that arrived inside ENet; nullopt (and a counted drop) if not authentic.
  std::optional<Bytes> open_frame(TimePoint now, ByteView frame);

  void on_timer(TimePoint now);
  TimePoint next_timeout() const;

 private:
  using Keypair = std::unique_ptr<SessionCipher>;

  void transmit_initiation(TimePoint now);
  void give_up();
  Timestamp next_timestamp(TimePoint now);
  SessionCipher* usable_sender(TimePoint now);
  SessionCipher* keypair_with_index(uint32_t local_index);
  bool expired(const SessionCipher& keypair, TimePoint now) const;
  TimePoint expiry(const SessionCipher& keypair) const;
  void retire(Keypair& keypair);
  void rotate_into_previous(Keypair& old_current, TimePoint now);
  void promote_next(TimePoint now);
  void on_new_current(TimePoint now);
  void maybe_rekey(TimePoint now);
  void send_sealed(SessionCipher& keypair, ByteView plaintext);
  void enqueue(ByteView plaintext);
  void flush_queue(TimePoint now);
  void emit(SessionEvent::Kind kind, Bytes data = {});

  SessionContext& ctx_;
  noise::Key peer_;
  std::optional<Endpoint> endpoint_;
  CookieGenerator cookies_;

  std::optional<InitiatorHandshake> pending_;
  uint32_t pending_index_ = 0;
  int attempts_ = 0;
  TimePoint next_retransmit_ = kNever;
  Timestamp last_sent_timestamp_{};
  Timestamp last_accepted_timestamp_{};  // newest initiation we answered: replay guard

  Keypair previous_;
  Keypair current_;
  Keypair next_;  // ours as responder until the initiator's first packet confirms it
  TimePoint previous_expires_ = kNever;
  bool ever_established_ = false;

  std::deque<Bytes> queue_;
};

}  // namespace koe
