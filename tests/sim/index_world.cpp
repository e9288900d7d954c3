#include "tests/sim/index_world.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace koe::sim {

namespace {
constexpr uint16_t kSupernodePort = 33445;
constexpr uint16_t kUserPort = 40000;

Duration lognormal(SeededRandom& random, Duration median, double sigma, Duration cap) {
  // Box-Muller from two uniform draws.
  const double u1 = std::max(unit_interval(random), 1e-12);
  const double u2 = unit_interval(random);
  const double normal = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  const double value = static_cast<double>(median.count()) * std::exp(sigma * normal);
  return std::min(Duration{static_cast<int64_t>(value)}, cap);
}
}  // namespace

IndexWorld::IndexWorld(IndexWorldConfig config)
    : config_(std::move(config)),
      net_(config_.seed),
      random_(net_.derive_seed(1)),
      user_random_(net_.derive_seed(2)) {
  config_.node.wall_clock_offset = kSimulatedEpoch;
  config_.client.wall_clock_offset = kSimulatedEpoch;
  LinkParams core;
  core.latency = config_.links.core_latency;
  core.jitter = Jitter::normal(config_.links.jitter_mean, config_.links.jitter_mean / 2);
  core.loss = config_.links.loss;
  net_.set_realm_link(kInternet, core);
}

IndexWorld::~IndexWorld() = default;

NodeId IndexWorld::add_host(uint32_t ip, Duration& access) {
  const NodeId host = net_.add_host(ip);
  access = lognormal(random_, config_.links.access_median, config_.links.access_sigma, config_.links.access_cap);
  LinkParams link;
  link.latency = access;
  net_.set_access_link(host, link);
  return host;
}

size_t IndexWorld::add_supernode() {
  const size_t index = supernodes_.size();
  SupernodeSlot& slot = supernodes_.emplace_back();
  slot.random = std::make_unique<SeededRandom>(net_.derive_seed(1'000'000'000ull + index));
  // A supernode's ID is its identity's NodeId: a hash, so uniformly spread.
  slot.random->fill(slot.id.bytes);
  const NodeId host = add_host(next_ip_++, slot.access);
  slot.socket = net_.open_socket(host, kSupernodePort);
  slot.endpoint = slot.socket->local_endpoint();
  slot.core = std::make_unique<IndexNode>(slot.id, *slot.random, config_.node);
  IndexNode* core = slot.core.get();
  slot.socket->set_receiver([this, index, core](TimePoint now, const Endpoint& from, ByteView bytes) {
    core->on_datagram(now, from, bytes);
    flush_supernode(index);
  });
  slot.driver = std::make_unique<TimeoutDriver>(
      net_, [core] { return core->next_timeout(); },
      [this, index, core](TimePoint now) {
        core->on_timer(now);
        flush_supernode(index);
      });
  std::vector<Endpoint> seeds;
  for (size_t i = 0; i < config_.bootstrap_seeds && !live_.empty(); ++i) {
    seeds.push_back(supernodes_[live_[random_.uniform(live_.size())]].endpoint);
  }
  live_.push_back(index);
  core->bootstrap(net_.now(), seeds);
  flush_supernode(index);
  return index;
}

void IndexWorld::kill_supernode(size_t index) {
  SupernodeSlot& slot = supernodes_[index];
  slot.driver.reset();
  slot.socket.reset();
  slot.core.reset();
  slot.random.reset();
  std::erase(live_, index);
}

void IndexWorld::begin_handover(size_t index) {
  supernodes_[index].core->begin_handover(net_.now());
  flush_supernode(index);
}

std::vector<size_t> IndexWorld::live_supernodes() const { return live_; }

void IndexWorld::flush_supernode(size_t index) {
  SupernodeSlot& slot = supernodes_[index];
  if (!slot.core) return;
  for (OutDatagram& out : slot.core->take_outbox()) slot.socket->send(out.to, out.bytes);
  if (node_listener_) {
    for (const LookupCompleted& event : slot.core->take_events()) node_listener_(index, event);
  } else {
    slot.core->take_events();
  }
  slot.driver->rearm();
}

size_t IndexWorld::add_user(std::string name) {
  const size_t index = users_.size();
  UserSlot& slot = users_.emplace_back();
  slot.signer = std::make_unique<PlainKeySigner>(user_random_);
  slot.id = node_id_from_public_key(slot.signer->public_key());
  slot.name = std::move(name);
  slot.host = add_host(next_ip_++, slot.access);
  return index;
}

void IndexWorld::start_user(size_t index) {
  UserSlot& slot = users_[index];
  if (slot.client || live_.empty()) return;
  slot.socket = net_.open_socket(slot.host, kUserPort);
  slot.endpoint = slot.socket->local_endpoint();
  slot.client = std::make_unique<IndexClient>(*slot.signer, user_random_, config_.client);
  IndexClient* client = slot.client.get();
  slot.socket->set_receiver([this, index, client](TimePoint now, const Endpoint& from, ByteView bytes) {
    client->on_datagram(now, from, bytes);
    flush_user(index);
  });
  slot.driver = std::make_unique<TimeoutDriver>(
      net_, [client] { return client->next_timeout(); },
      [this, index, client](TimePoint now) {
        client->on_timer(now);
        flush_user(index);
      });
  std::vector<Endpoint> hosts;
  for (size_t i = 0; i < config_.host_cache; ++i) hosts.push_back(supernodes_[live_[random_.uniform(live_.size())]].endpoint);
  client->add_supernodes(hosts);
  ClientProfile profile;
  profile.display_name = slot.name;
  profile.nat_class = NatClass::kOpen;
  client->set_profile(net_.now(), std::move(profile));
  client->start(net_.now());
  flush_user(index);
}

void IndexWorld::stop_user(size_t index) {
  UserSlot& slot = users_[index];
  slot.driver.reset();
  slot.socket.reset();
  slot.client.reset();
}

void IndexWorld::flush_user(size_t index) {
  UserSlot& slot = users_[index];
  if (!slot.client) return;
  for (OutDatagram& out : slot.client->take_outbox()) slot.socket->send(out.to, out.bytes);
  for (const IndexClientEvent& event : slot.client->take_events()) {
    if (client_listener_) client_listener_(index, event);
  }
  if (slot.client) slot.driver->rearm();  // a listener may have stopped the user
}

}  // namespace koe::sim
