// Tunables of the Global Index cores and the protocol constants they share
// (docs/index.md explains each choice). Plain values; any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "net/clock.hpp"
#include "net/identity.hpp"
#include "net/rate_limiter.hpp"

namespace koe {

// A response to a request whose source is not proven by a token is at most this
// many times the request's size; larger answers become a kNeedToken error.
inline constexpr size_t kAmplificationFactor = 3;
// Requests sent without a token are padded to this size, so that the usual answers
// (records of up to 360 bytes; the largest possible is 411) fit the amplification
// budget; a larger one costs the requester a round trip for a token.
inline constexpr size_t kUnprovenRequestSize = 120;

// A leaving supernode resends HandoverRequest to a silent client this often, at most
// this many times: the sends end within the election's 3 s handover_timeout.
inline constexpr Duration kHandoverResend = std::chrono::milliseconds(500);
inline constexpr uint8_t kHandoverSends = 6;

struct IndexNodeConfig {
  // Our identity key, told to attaching clients (absent in simulations without keys).
  std::optional<PublicKey> public_key;
  size_t replication = 8;  // k: replicas per record and keyword, and contacts per answer
  size_t parallelism = 3;  // alpha: requests in flight per lookup
  size_t bucket_size = 8;  // contacts per routing-table bucket
  // Unanswered RPCs in a row that remove a contact: at 10% loss each way a live one
  // misses 3 in a row 0.7% of the time (2: 3.6%, and a small overlay falls apart).
  uint8_t max_failures = 3;
  Duration rpc_soft_timeout = std::chrono::milliseconds(500);
  Duration rpc_timeout = std::chrono::seconds(2);
  // Liveness checks of the 2k closest supernodes, whose departure starts a repair.
  Duration neighbour_ping_interval = std::chrono::seconds(15);
  // Every this often a supernode pings `load_peers` other supernodes (around a random
  // ID) for their load; loads older than `load_max_age` no longer count.
  Duration load_ping_interval = std::chrono::seconds(60);
  size_t load_peers = 8;
  Duration load_max_age = std::chrono::seconds(180);
  // Membership changes are batched this long before replicas are repaired.
  Duration repair_delay = std::chrono::seconds(3);
  // Replica pushes per second: a failure can hand us thousands at once, and each
  // receiver admits only `rate.per_second` requests from us.
  size_t repair_per_second = 150;
  size_t max_repair_queue = 1 << 16;  // beyond this, owners' refreshes restore the rest
  Duration bucket_refresh_interval = std::chrono::minutes(10);
  size_t refresh_lookups = 16;  // random bucket refreshes per interval
  Duration bootstrap_retry = std::chrono::seconds(5);
  Duration expiry_sweep_interval = std::chrono::seconds(30);
  Duration token_rotation = std::chrono::minutes(5);
  Duration max_record_lifetime = std::chrono::hours(2);  // furthest expiry a store may ask for
  size_t max_records = 1 << 20;
  size_t max_keyword_entries = 4 << 20;
  size_t keyword_cap = 64;        // entries per keyword (the most recently published stay)
  size_t search_page_hits = 5;    // keyword hits fetched per search page
  size_t max_operations = 4096;   // lookups in progress
  size_t max_clients = 10000;
  Duration client_timeout = std::chrono::seconds(90);  // silence that detaches a client
  RateLimiterConfig rate{200, 400, 1024};  // requests per source IP
  // Unix time = now.time_since_epoch() + offset; the driver sets it from the wall
  // clock (records carry Unix expiry times).
  Duration wall_clock_offset{0};
};

struct IndexClientConfig {
  Duration keepalive_interval = std::chrono::seconds(20);
  // Unanswered keepalives in a row that make the client move to the next supernode of
  // its host cache (each resent after a doubled timeout): at 10 % loss each way a
  // healthy supernode misses 4 in a row once in ~800 suspicions.
  uint8_t keepalive_misses = 4;
  // Requests are resent after the supernode's measured round trip (RFC 6298's
  // timeout, clamped to these bounds; the initial one before any answer).
  Duration initial_request_timeout = std::chrono::seconds(1);
  Duration min_request_timeout = std::chrono::milliseconds(250);
  Duration max_request_timeout = std::chrono::seconds(3);
  // A lookup or search also waits for the supernode's own lookups in the overlay; a
  // publish for its placement lookup and the replicas' acknowledgements (resending it
  // early would start that work again: under churn, a storm of stores).
  Duration overlay_allowance = std::chrono::seconds(1);
  Duration publish_allowance = std::chrono::seconds(3);
  Duration request_deadline = std::chrono::seconds(12);  // a lookup or search fails after this
  Duration record_lifetime = std::chrono::hours(1);
  Duration refresh_interval = std::chrono::minutes(30);
  Duration max_record_lifetime = std::chrono::hours(2);  // furthest expiry a record read may have
  size_t host_cache_size = 16;
  Duration wall_clock_offset{0};
};

// The wall clock as the cores see it: Unix seconds at `now`.
inline uint64_t unix_seconds(TimePoint now, Duration wall_clock_offset) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch() + wall_clock_offset).count();
  return s > 0 ? static_cast<uint64_t>(s) : 0;
}

}  // namespace koe
