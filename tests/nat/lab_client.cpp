#include "tests/nat/lab_client.hpp"

#include <poll.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

#include "net/call_path.hpp"
#include "net/hole_punch.hpp"
#include "net/identity.hpp"
#include "net/nat_discovery.hpp"
#include "net/random.hpp"
#include "net/relay_client.hpp"
#include "net/session_manager.hpp"
#include "tests/nat/lab_signal.hpp"
#include "tests/nat/lab_udp.hpp"

namespace koe::lab {

namespace {

using namespace std::chrono_literals;

constexpr Duration kSignalResend = 200ms;
constexpr Duration kTalkInterval = 20ms;  // one voice frame every 20 ms
constexpr size_t kVoiceBytes = 80;

Duration wall_clock_offset() {
  const auto unix_now = std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch());
  return unix_now - SteadyClock().now().time_since_epoch();
}

noise::Key key_of(const PublicKey& k) {
  noise::Key out{};
  std::copy(k.begin(), k.end(), out.begin());
  return out;
}

long long ms(Duration d) { return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()); }

// One outgoing signalling blob, resent until the peer says it got it.
struct Outgoing {
  Bytes blob;
  TimePoint next = kNever;
  bool acknowledged = false;
};

class Client {
 public:
  explicit Client(const ClientOptions& o)
      : options_(o),
        identity_(Identity::generate(random_)),
        socket_(o.local),
        discovery_(random_, discovery_config(o)),
        relays_(identity_, random_, relay_config()),
        sessions_(key_of(identity_.public_key()), std::span<const uint8_t, 64>(identity_.secret_key().data(), 64),
                  random_, session_config()) {}

  int run() {
    const TimePoint start = clock_.now();
    deadline_ = start + std::chrono::seconds(options_.timeout_s);
    signal(start, Bytes{static_cast<uint8_t>(BlobKind::kHello)}, false);
    discovery_.start(start);
    flush(start);
    Bytes buffer;
    while (!finished_) {
      const TimePoint now = clock_.now();
      if (now >= deadline_) return report(2);
      pollfd fd{socket_.fd(), POLLIN, 0};
      const auto wait = std::clamp<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(next_timeout() - now).count(), 0, 50);
      ::poll(&fd, 1, static_cast<int>(wait));
      while (const auto from = socket_.receive(buffer)) receive(clock_.now(), *from, buffer);
      on_timer(clock_.now());
      flush(clock_.now());
      if (exit_code_) return *exit_code_;
    }
    return 0;
  }

 private:
  static NatDiscoveryConfig discovery_config(const ClientOptions& o) {
    NatDiscoveryConfig c;
    c.servers = o.servers;
    c.local_addresses = {o.local};
    return c;
  }
  static RelayClientConfig relay_config() {
    RelayClientConfig c;
    c.wall_clock_offset = wall_clock_offset();
    return c;
  }
  static SessionManagerConfig session_config() {
    SessionManagerConfig c;
    c.wall_clock_offset = wall_clock_offset();
    return c;
  }

  TimePoint next_timeout() const {
    TimePoint t = std::min({discovery_.next_timeout(), relays_.next_timeout(), sessions_.next_timeout(), next_talk_});
    if (punch_) t = std::min(t, punch_->next_timeout());
    for (const Outgoing& o : outgoing_) {
      if (!o.acknowledged) t = std::min(t, o.next);
    }
    return t;
  }

  // --- Input ---

  void receive(TimePoint now, const Endpoint& from, ByteView bytes) {
    if (const auto deliver = decode_lab_deliver(bytes)) return on_blob(now, deliver->blob);
    const auto header = wire::decode_header(bytes);
    if (!header) return;
    switch (header->type) {
      case wire::PacketType::kProbeResponse: discovery_.on_datagram(now, from, bytes); break;
      case wire::PacketType::kPunchProbe:
      case wire::PacketType::kPunchAck:
        if (punch_) punch_->on_datagram(now, from, bytes);
        break;
      case wire::PacketType::kRelayControl:
      case wire::PacketType::kRelayFrame: relays_.on_datagram(now, from, bytes); break;
      default:
        reply_path_ = CallRoute{CallRoute::Kind::kDirect, from, 0};
        sessions_.on_datagram(now, from, bytes);
    }
  }

  void on_blob(TimePoint now, const Bytes& blob) {
    if (blob.empty() || blob[0] == static_cast<uint8_t>(BlobKind::kHello)) return;
    const auto kind = static_cast<BlobKind>(blob[0]);
    const ByteView body = ByteView(blob).subspan(1);
    if (kind == BlobKind::kGot && body.size() == 1) {
      for (Outgoing& o : outgoing_) {
        if (!o.blob.empty() && o.blob[0] == body[0]) o.acknowledged = true;
      }
      return;
    }
    signal(now, Bytes{static_cast<uint8_t>(BlobKind::kGot), blob[0]}, false);
    if (kind == BlobKind::kOffer && !peer_offer_ && body.size() > kPublicKeySize) {
      const auto offer = decode_punch_offer(body.subspan(kPublicKeySize));
      if (!offer) return;
      std::copy(body.begin(), body.begin() + kPublicKeySize, peer_key_.begin());
      peer_offer_ = *offer;
      maybe_start_punch(now);
    } else if (kind == BlobKind::kTickets && !options_.caller && path_.relays().empty()) {
      if (const auto tickets = decode_relay_tickets(body)) {
        for (const RelayTicket& t : *tickets) path_.add_relay(relays_.join(now, t));
      }
    }
  }

  // Punching starts once both offers are known (the peer's may come first).
  void maybe_start_punch(TimePoint now) {
    if (punch_ || !own_offer_ || !peer_offer_) return;
    const auto keys = derive_punch_keys(own_offer_->secret, peer_offer_->secret);
    if (!keys) return;
    punch_ = std::make_unique<HolePunch>(random_, *keys, *own_offer_, *peer_offer_);
    punch_->start(now);
    // Setup is timed from here: both offers known, as when the callee's answer reaches
    // the caller (discovery ran long before a real call; here it may end at different times).
    punch_started_ = now;
  }

  // --- Signalling ---

  void signal(TimePoint now, Bytes blob, bool reliable) {
    const auto datagram = encode_lab_send({options_.name, options_.peer, blob});
    if (!datagram) return;
    socket_.send(options_.servers.front(), *datagram);
    if (reliable) outgoing_.push_back({std::move(blob), now + kSignalResend, false});
  }

  void resend_signals(TimePoint now) {
    for (Outgoing& o : outgoing_) {
      if (o.acknowledged || o.next > now) continue;
      if (const auto datagram = encode_lab_send({options_.name, options_.peer, o.blob})) {
        socket_.send(options_.servers.front(), *datagram);
      }
      o.next = now + kSignalResend;
    }
  }

  void start_call(TimePoint now) {
    call_start_ = now;
    PunchOffer offer;
    random_.fill(offer.secret);
    offer.nat = discovery_.profile();
    offer.candidates = discovery_.candidates();
    own_offer_ = offer;
    Bytes blob{static_cast<uint8_t>(BlobKind::kOffer)};
    blob.insert(blob.end(), identity_.public_key().begin(), identity_.public_key().end());
    const auto encoded = encode_punch_offer(offer);
    blob.insert(blob.end(), encoded->begin(), encoded->end());
    signal(now, std::move(blob), true);
    if (options_.caller) relays_.measure(now, options_.servers);
    maybe_start_punch(now);
  }

  // The caller allocates on its two nearest relays once the ranking is in.
  void allocate_relays(TimePoint now) {
    if (!options_.caller || allocating_ || relays_.measuring() || !call_start_) return;
    allocating_ = true;
    for (const RankedRelay& r : relays_.ranked()) {
      if (path_.relays().size() == 2) break;
      path_.add_relay(relays_.allocate(now, r.relay));
    }
  }

  // --- Timers and outputs ---

  void on_timer(TimePoint now) {
    if (discovery_.next_timeout() <= now) discovery_.on_timer(now);
    if (punch_ && punch_->next_timeout() <= now) punch_->on_timer(now);
    if (relays_.next_timeout() <= now) relays_.on_timer(now);
    if (sessions_.next_timeout() <= now) sessions_.on_timer(now);
    resend_signals(now);
    allocate_relays(now);
    if (next_talk_ <= now) talk(now);
  }

  void talk(TimePoint now) {
    if (sent_ * kTalkInterval >= std::chrono::milliseconds(options_.talk_ms)) {
      next_talk_ = kNever;
      done_talking_at_ = now;
      return;
    }
    Bytes voice(kVoiceBytes, static_cast<uint8_t>(sent_));
    sessions_.send(now, key_of(peer_key_), voice);
    ++sent_;
    next_talk_ = now + kTalkInterval;
  }

  void flush(TimePoint now) {
    for (int round = 0; round < 4; ++round) {
      for (const auto& d : discovery_.take_outbox()) socket_.send(d.to, d.bytes);
      for (const auto& e : discovery_.take_events()) on_discovery(now, e);
      if (punch_) {
        for (const auto& d : punch_->take_outbox()) socket_.send(d.to, d.bytes);
        for (const auto& e : punch_->take_events()) {
          path_.on_punch_event(e);
          if (e.kind == HolePunchEvent::Kind::kDirect && !direct_at_) direct_at_ = now;
        }
      }
      for (auto& e : relays_.take_events()) on_relay(now, e);
      if (path_.update(now, relays_) && path_.route().kind != CallRoute::Kind::kNone) on_route(now);
      for (const auto& d : sessions_.take_outbox()) send_on_route(d.bytes);
      for (const auto& e : sessions_.take_events()) on_session(now, e);
      for (const auto& d : relays_.take_outbox()) socket_.send(d.to, d.bytes);
    }
    if (done_talking_at_ && now - *done_talking_at_ >= 500ms) exit_code_ = report(0);
  }

  void on_discovery(TimePoint now, const NatDiscoveryEvent& e) {
    if (e.kind == NatDiscoveryEvent::Kind::kUdpBlocked && !call_start_) {
      std::printf("RESULT name=%s path=blocked setup_ms=-1 reason=\"%s\"\n", options_.name.c_str(), e.reason.c_str());
      std::fflush(stdout);
      exit_code_ = 3;
      return;
    }
    if (!call_start_) start_call(now);
  }

  void on_relay(TimePoint now, const RelayClientEvent& e) {
    if (e.kind == RelayClientEvent::Kind::kData) {
      reply_path_ = CallRoute{CallRoute::Kind::kRelay, {}, e.handle};
      sessions_.on_datagram(now, *relays_.relay_of(e.handle), e.payload);
    } else if (e.kind == RelayClientEvent::Kind::kAllocated && e.peer_ticket) {
      tickets_.push_back(*e.peer_ticket);
      if (tickets_.size() == path_.relays().size()) {
        Bytes blob{static_cast<uint8_t>(BlobKind::kTickets)};
        const auto encoded = encode_relay_tickets(tickets_);
        blob.insert(blob.end(), encoded->begin(), encoded->end());
        signal(now, std::move(blob), true);
      }
    }
  }

  // The first usable route: the caller opens the session over it.
  void on_route(TimePoint now) {
    if (!first_route_at_) first_route_at_ = now;
    if (options_.caller && !connected_) {
      connected_ = true;
      const CallRoute& r = path_.route();
      sessions_.connect(now, key_of(peer_key_), r.kind == CallRoute::Kind::kDirect ? r.direct : *relays_.relay_of(r.relay));
    }
  }

  void on_session(TimePoint now, const SessionEvent& e) {
    if (e.kind == SessionEvent::Kind::kEstablished && !established_at_) {
      established_at_ = now;
      next_talk_ = now;
    } else if (e.kind == SessionEvent::Kind::kData) {
      ++received_;
    }
  }

  // Before our own route is settled, answer the way the peer's datagram came.
  void send_on_route(ByteView bytes) {
    const CallRoute& r = path_.route().kind != CallRoute::Kind::kNone ? path_.route() : reply_path_;
    if (r.kind == CallRoute::Kind::kDirect) socket_.send(r.direct, bytes);
    if (r.kind == CallRoute::Kind::kRelay) relays_.send(r.relay, bytes);
  }

  int report(int code) {
    const CallRoute& r = path_.route();
    const char* path = r.kind == CallRoute::Kind::kDirect ? "direct" : r.kind == CallRoute::Kind::kRelay ? "relay" : "none";
    const NatProfile& p = discovery_.profile();
    const auto since_call = [&](const std::optional<TimePoint>& t) { return t && punch_started_ ? ms(*t - *punch_started_) : -1LL; };
    std::printf(
        "RESULT name=%s path=%s kind=%s setup_ms=%lld direct_ms=%lld sent=%llu received=%llu probes=%u attempts=%u "
        "mapping=%s filtering=%s allocation=%s relay=%s\n",
        options_.name.c_str(), path,
        punch_ && punch_->result() ? std::string(to_string(punch_->result()->kind)).c_str() : "-",
        code == 0 ? since_call(established_at_) : -1LL, since_call(direct_at_),
        static_cast<unsigned long long>(sent_), static_cast<unsigned long long>(received_),
        punch_ ? punch_->probes_sent() : 0U, punch_ ? punch_->attempts() : 0U, std::string(to_string(p.mapping)).c_str(),
        std::string(to_string(p.filtering)).c_str(), std::string(to_string(p.allocation)).c_str(),
        r.kind == CallRoute::Kind::kRelay ? relays_.relay_of(r.relay)->to_string().c_str() : "-");
    std::fflush(stdout);
    for (const RelayHandle h : path_.relays()) relays_.release(h);
    for (const auto& d : relays_.take_outbox()) socket_.send(d.to, d.bytes);
    finished_ = true;
    return code;
  }

  ClientOptions options_;
  SteadyClock clock_;
  SystemRandom random_;
  Identity identity_;
  LabUdp socket_;
  NatDiscovery discovery_;
  RelayClient relays_;
  SessionManager sessions_;
  std::unique_ptr<HolePunch> punch_;
  CallPath path_;
  CallRoute reply_path_;
  std::optional<PunchOffer> own_offer_, peer_offer_;
  PublicKey peer_key_{};
  std::vector<Outgoing> outgoing_;
  std::vector<RelayTicket> tickets_;
  TimePoint deadline_ = kNever;
  TimePoint next_talk_ = kNever;
  std::optional<TimePoint> call_start_, punch_started_, first_route_at_, established_at_, direct_at_, done_talking_at_;
  bool allocating_ = false;
  bool connected_ = false;
  bool finished_ = false;
  std::optional<int> exit_code_;
  uint64_t sent_ = 0;
  uint64_t received_ = 0;
};

}  // namespace

int run_client(const ClientOptions& options) {
  Client client(options);
  return client.run();
}

}  // namespace koe::lab
