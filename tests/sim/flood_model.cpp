#include "tests/sim/flood_model.hpp"

#include <algorithm>
#include <array>
#include <unordered_map>

#include "net/byte_reader.hpp"
#include "net/byte_writer.hpp"

namespace koe::sim {

namespace {

constexpr uint16_t kFloodPort = 33446;
constexpr uint8_t kQuery = 1;
constexpr uint8_t kHit = 2;

// query: kind u8, qid u64, target holder u32, ttl u8, origin ip u32, origin port u16
// hit:   kind u8, qid u64
struct FloodMessage {
  uint8_t kind = kQuery;
  uint64_t qid = 0;
  uint32_t holder = 0;  // stands for "the target user": the supernode it is attached to
  uint8_t ttl = 0;
  Endpoint origin;
};

Bytes encode(const FloodMessage& m) {
  ByteWriter w(64);
  w.u8(m.kind);
  w.u64(m.qid);
  if (m.kind == kQuery) {
    w.u32(m.holder);
    w.u8(m.ttl);
    w.u32(m.origin.ip);
    w.u16(m.origin.port);
  }
  return std::move(w).finish().value();
}

std::optional<FloodMessage> decode(ByteView bytes) {
  ByteReader r(bytes);
  FloodMessage m;
  m.kind = r.u8();
  m.qid = r.u64();
  if (m.kind == kQuery) {
    m.holder = r.u32();
    m.ttl = r.u8();
    m.origin.ip = r.u32();
    m.origin.port = r.u16();
  }
  if (!r.expect_end()) return std::nullopt;
  return m;
}

// One supernode of the flooding model: forwards each new query to every
// neighbour but the one it came from, answers queries for its own users.
struct FloodNode {
  size_t index = 0;
  std::unique_ptr<SimSocket> socket;
  std::vector<Endpoint> neighbours;
  std::array<uint64_t, 256> seen{};  // recent query IDs (duplicates are dropped)
  size_t seen_next = 0;

  bool first_sight(uint64_t qid) {
    if (std::find(seen.begin(), seen.end(), qid) != seen.end()) return false;
    seen[seen_next++ % seen.size()] = qid;
    return true;
  }
};

struct Outcome {
  TimePoint started{};
  std::optional<TimePoint> hit;
};

}  // namespace

std::vector<FloodRow> run_flooding(const FloodOptions& options, std::span<const Duration> supernode_access,
                                   std::span<const FloodLookup> lookups) {
  std::vector<FloodRow> rows;
  if (supernode_access.empty() || lookups.empty()) return rows;
  SimNetwork net(options.seed);
  LinkParams core;
  core.latency = options.links.core_latency;
  core.jitter = Jitter::normal(options.links.jitter_mean, options.links.jitter_mean / 2);
  core.loss = options.links.loss;
  net.set_realm_link(kInternet, core);
  SeededRandom random(net.derive_seed(3));

  std::vector<FloodNode> nodes(supernode_access.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const NodeId host = net.add_host(Endpoint::make_ip(12, 0, 0, 1) + static_cast<uint32_t>(i));
    LinkParams access;
    access.latency = supernode_access[i];
    net.set_access_link(host, access);
    nodes[i].index = i;
    nodes[i].socket = net.open_socket(host, kFloodPort);
  }
  // A random graph: each node links to degree/2 others, both ways.
  for (size_t i = 0; i < nodes.size() && nodes.size() > 1; ++i) {
    for (size_t e = 0; e < std::max<size_t>(options.degree / 2, 1); ++e) {
      size_t j = random.uniform(nodes.size() - 1);
      if (j >= i) ++j;
      const Endpoint a = nodes[i].socket->local_endpoint(), b = nodes[j].socket->local_endpoint();
      if (std::find(nodes[i].neighbours.begin(), nodes[i].neighbours.end(), b) != nodes[i].neighbours.end()) continue;
      nodes[i].neighbours.push_back(b);
      nodes[j].neighbours.push_back(a);
    }
  }

  uint64_t messages = 0, bytes = 0;
  std::vector<Outcome> outcomes;                  // per lookup of the current TTL
  std::unordered_map<uint64_t, size_t> query_of;  // query ID -> lookup
  auto send = [&](FloodNode& from, const Endpoint& to, const FloodMessage& m) {
    const Bytes encoded = encode(m);
    ++messages;
    bytes += encoded.size();
    from.socket->send(to, encoded);
  };
  auto flood = [&](FloodNode& node, const Endpoint& except, const FloodMessage& m) {
    for (const Endpoint& n : node.neighbours) {
      if (n != except) send(node, n, m);
    }
  };
  for (FloodNode& node : nodes) {
    node.socket->set_receiver([&, self = &node](TimePoint now, const Endpoint& from, ByteView data) {
      const auto m = decode(data);
      if (!m) return;
      if (m->kind == kHit) {
        const auto it = query_of.find(m->qid);
        if (it != query_of.end() && !outcomes[it->second].hit) outcomes[it->second].hit = now;
        return;
      }
      if (!self->first_sight(m->qid)) return;
      if (m->holder == self->index) send(*self, m->origin, FloodMessage{kHit, m->qid, 0, 0, {}});
      if (m->ttl > 1) {
        FloodMessage next = *m;
        --next.ttl;
        flood(*self, from, next);
      }
    });
  }

  uint64_t next_qid = 1;
  auto start_query = [&](size_t index, unsigned ttl) {
    const FloodLookup& lookup = lookups[index];
    FloodNode& origin = nodes[lookup.origin];
    const uint64_t qid = next_qid++;
    query_of[qid] = index;
    origin.first_sight(qid);
    flood(origin, Endpoint{}, FloodMessage{kQuery, qid, static_cast<uint32_t>(lookup.holder),
                                          static_cast<uint8_t>(ttl), origin.socket->local_endpoint()});
  };
  for (unsigned ttl = 1; ttl <= options.max_ttl; ++ttl) {
    messages = bytes = 0;
    outcomes.assign(lookups.size(), Outcome{});
    query_of.clear();
    TimePoint at = net.now();
    for (size_t i = 0; i < lookups.size(); ++i) {
      net.schedule(at, [&, i, ttl](TimePoint now) {
        outcomes[i].started = now;
        if (lookups[i].holder == lookups[i].origin) {
          outcomes[i].hit = now;
          return;
        }
        start_query(i, ttl);
        net.schedule(now + options.retry_after, [&, i, ttl](TimePoint) {
          if (!outcomes[i].hit) start_query(i, ttl);
        });
      });
      at += options.spacing;
    }
    net.run_until(at + options.timeout);
    FloodRow row;
    row.ttl = ttl;
    row.lookups = lookups.size();
    std::vector<double> latency;
    size_t found = 0;
    for (size_t i = 0; i < lookups.size(); ++i) {
      const Outcome& o = outcomes[i];
      if (!o.hit || *o.hit - o.started > options.timeout) continue;
      ++found;
      latency.push_back(static_cast<double>((*o.hit - o.started + lookups[i].client_rtt).count()) / 1000.0);
    }
    row.success_rate = static_cast<double>(found) / static_cast<double>(lookups.size());
    row.messages_per_lookup = 2.0 + static_cast<double>(messages) / static_cast<double>(lookups.size());
    row.overlay_bytes_per_lookup = static_cast<double>(bytes) / static_cast<double>(lookups.size());
    row.latency_ms = percentiles(std::move(latency));
    rows.push_back(row);
    if (row.success_rate >= options.target_success) break;
  }
  return rows;
}

}  // namespace koe::sim
