#include "tests/nat/lab_server.hpp"

#include <poll.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>

#include "net/nat_probe_server.hpp"
#include "net/random.hpp"
#include "net/relay_server.hpp"
#include "tests/nat/lab_signal.hpp"
#include "tests/nat/lab_udp.hpp"

namespace koe::lab {

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

Duration wall_clock_offset() {
  const auto unix_now = std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch());
  return unix_now - SteadyClock().now().time_since_epoch();
}

struct Site {
  Site(const Endpoint& at, Random& random, bool relay_capable)
      : socket(at), relay(random, at, relay_config()), relays(relay_capable) {}
  static RelayServerConfig relay_config() {
    RelayServerConfig c;
    c.wall_clock_offset = wall_clock_offset();
    return c;
  }
  LabUdp socket;
  NatProbeServer probes;
  RelayServer relay;
  bool relays;
};

}  // namespace

int run_server(const ServerOptions& options) {
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  SystemRandom random;
  std::vector<std::unique_ptr<Site>> sites;
  for (const Endpoint& e : options.probes) {
    sites.push_back(std::make_unique<Site>(e, random, true));
    sites.back()->probes.set_partners({options.partner});
  }
  sites.push_back(std::make_unique<Site>(options.partner, random, false));
  sites.back()->probes.set_partners(options.probes);  // whose forwards it answers
  std::map<std::string, Endpoint> names;              // the rendezvous' registrations
  if (!options.ready_file.empty()) std::ofstream(options.ready_file) << "ready\n";

  SteadyClock clock;
  const TimePoint end = clock.now() + std::chrono::seconds(options.lifetime_s);
  Bytes buffer;
  std::vector<pollfd> fds;
  for (const auto& s : sites) fds.push_back({s->socket.fd(), POLLIN, 0});
  while (!g_stop && clock.now() < end) {
    TimePoint next = end;
    for (const auto& s : sites) next = std::min(next, s->relay.next_timeout());
    const auto wait_ms = std::clamp<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(next - clock.now()).count(), 0, 200);
    ::poll(fds.data(), fds.size(), static_cast<int>(wait_ms));
    const TimePoint now = clock.now();
    for (auto& site : sites) {
      Site& s = *site;
      while (const auto from = s.socket.receive(buffer)) {
        if (const auto send = decode_lab_send(buffer); send && &s == sites.front().get()) {
          names[send->from] = *from;
          const auto to = names.find(send->to);
          const auto deliver = encode_lab_deliver({send->from, send->blob});
          if (to != names.end() && deliver) s.socket.send(to->second, *deliver);
          continue;
        }
        const auto header = wire::decode_header(buffer);
        if (!header) continue;
        if (NatProbeServer::owns(header->type)) s.probes.on_datagram(now, *from, buffer);
        if (s.relays && RelayServer::owns(header->type)) s.relay.on_datagram(now, *from, buffer);
      }
      if (s.relay.next_timeout() <= now) s.relay.on_timer(now);
      for (const auto& d : s.probes.take_outbox()) s.socket.send(d.to, d.bytes);
      for (const auto& d : s.relay.take_outbox()) s.socket.send(d.to, d.bytes);
    }
  }
  for (const auto& s : sites) {
    const auto& c = s->relay.counters();
    std::printf("SERVER %s probes=%llu redirects=%llu forwards=%llu relay_sessions=%llu relay_frames=%llu\n",
                s->socket.local_endpoint().to_string().c_str(),
                static_cast<unsigned long long>(s->probes.counters().probes_answered),
                static_cast<unsigned long long>(s->probes.counters().redirects_forwarded),
                static_cast<unsigned long long>(s->probes.counters().forwards_answered),
                static_cast<unsigned long long>(c.allocated), static_cast<unsigned long long>(c.frames_forwarded));
  }
  return 0;
}

}  // namespace koe::lab
