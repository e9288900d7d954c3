// HostCache: the supernodes this node has reached before, kept in the profile's
// host_cache.json so the next start can find the network without help: at most 200,
// freshest and best first. A plain model with no threads of its own: the node owns it
// and changes it on the net thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/profile_json_file.hpp"
#include "net/endpoint.hpp"
#include "net/identity.hpp"

namespace koe {

inline constexpr const char* kHostCacheFileName = "host_cache.json";
inline constexpr size_t kHostCacheCapacity = 200;
// A supernode that failed this many attempts in a row since it last answered is forgotten.
inline constexpr uint32_t kHostCacheMaxFailures = 3;

struct HostCacheEntry {
  PublicKey public_key{};          // its identity key: what a handshake needs, and its ID
  Endpoint endpoint;               // where it answered
  int64_t last_seen_unix = 0;      // wall-clock seconds of the last successful exchange
  std::optional<uint32_t> rtt_ms;  // round trip measured then
  uint32_t failures = 0;           // failed attempts since then

  friend bool operator==(const HostCacheEntry&, const HostCacheEntry&) = default;
};

class HostCache {
 public:
  // Freshest and best first: fewest failures, then most recently seen, then lowest
  // round trip (unknown last), then key (so the order is total and repeatable).
  const std::vector<HostCacheEntry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  const HostCacheEntry* find(const PublicKey& public_key) const;

  // Record only after an authenticated exchange with the supernode (a handshake or a
  // signed answer), so nobody can fill the cache with addresses. Adds or refreshes the
  // entry (failures reset), drops any other entry at the same endpoint (a node that
  // restarted with a new key), and keeps the best kHostCacheCapacity. false (no change)
  // for an endpoint with address 0 or port 0.
  bool record_success(const PublicKey& public_key, const Endpoint& endpoint, int64_t now_unix,
                      std::optional<uint32_t> rtt_ms);
  // An attempt to reach it failed; after kHostCacheMaxFailures it is forgotten.
  void record_failure(const PublicKey& public_key);
  bool remove(const PublicKey& public_key);

  friend bool operator==(const HostCache&, const HostCache&) = default;

 private:
  friend Expected<HostCache, ParseProblem> parse_host_cache(std::string_view text);
  void sort_and_trim();

  std::vector<HostCacheEntry> entries_;
};

// host_cache.json's text: {"format": "koe-host-cache", "version": 1, "hosts": [{
// "public_key": "<64 hex digits>", "endpoint": "a.b.c.d:port", "last_seen": <unix s>,
// "rtt_ms": <ms or null>, "failures": <n>}, ...]}.
std::string encode_host_cache(const HostCache& cache);
// Any malformed entry makes the whole file corrupt. Entries beyond the capacity, or
// past kHostCacheMaxFailures, are dropped, not refused; a key listed twice is corrupt.
Expected<HostCache, ParseProblem> parse_host_cache(std::string_view text);

// A missing file is an empty cache; a corrupt one is set aside (see load_profile_file).
Expected<LoadedProfileFile<HostCache>, FileError> load_host_cache(const std::filesystem::path& path);
// Atomically, mode 0600.
std::optional<FileError> save_host_cache(const std::filesystem::path& path, const HostCache& cache);

}  // namespace koe
