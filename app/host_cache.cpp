#include "app/host_cache.hpp"

#include <sodium.h>

#include <algorithm>
#include <limits>
#include <tuple>

namespace koe {

namespace {

constexpr std::string_view kFormat = "koe-host-cache";
constexpr int kVersion = 1;
constexpr size_t kMaxFileSize = 1 << 20;
constexpr size_t kPublicKeyHexLength = 2 * kPublicKeySize;

std::string to_hex(const PublicKey& key) {
  char text[kPublicKeyHexLength + 1];
  sodium_bin2hex(text, sizeof text, key.data(), key.size());
  return text;
}

std::optional<PublicKey> public_key_from_hex(const std::string& text) {
  PublicKey key{};
  size_t length = 0;
  const char* end = nullptr;
  if (text.size() != kPublicKeyHexLength ||
      sodium_hex2bin(key.data(), key.size(), text.data(), text.size(), nullptr, &length, &end) != 0 ||
      length != key.size() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return key;
}

// Smaller is better (see HostCache::entries).
auto rank(const HostCacheEntry& e) {
  const uint64_t rtt = e.rtt_ms ? *e.rtt_ms : std::numeric_limits<uint64_t>::max();
  return std::make_tuple(e.failures, -e.last_seen_unix, rtt, e.public_key);
}

bool usable(const Endpoint& endpoint) { return endpoint.ip != 0 && endpoint.port != 0; }

template <class T>
std::optional<T> integer_member(const nlohmann::json& entry, const char* key, int64_t min, int64_t max) {
  const auto found = entry.find(key);
  if (found == entry.end() || !found->is_number_integer()) return std::nullopt;
  // Unsigned values above INT64_MAX would wrap in get<int64_t>().
  if (found->is_number_unsigned() && found->get<uint64_t>() > static_cast<uint64_t>(max)) return std::nullopt;
  const int64_t value = found->get<int64_t>();
  if (value < min || value > max) return std::nullopt;
  return static_cast<T>(value);
}

Expected<HostCacheEntry, std::string> parse_entry(const nlohmann::json& entry) {
  if (!entry.is_object()) return Failure{std::string("should be a JSON object")};
  HostCacheEntry parsed;

  const auto key = entry.find("public_key");
  const auto public_key =
      key != entry.end() && key->is_string() ? public_key_from_hex(key->get_ref<const std::string&>()) : std::nullopt;
  if (!public_key) return Failure{"\"public_key\" should be " + std::to_string(kPublicKeyHexLength) + " hex digits"};
  parsed.public_key = *public_key;

  const auto endpoint_field = entry.find("endpoint");
  const auto endpoint = endpoint_field != entry.end() && endpoint_field->is_string()
                            ? Endpoint::parse(endpoint_field->get_ref<const std::string&>())
                            : std::nullopt;
  if (!endpoint || !usable(*endpoint)) return Failure{std::string("\"endpoint\" should be \"a.b.c.d:port\"")};
  parsed.endpoint = *endpoint;

  const auto last_seen = integer_member<int64_t>(entry, "last_seen", 0, std::numeric_limits<int64_t>::max());
  if (!last_seen) return Failure{std::string("\"last_seen\" should be a time in whole seconds since 1970")};
  parsed.last_seen_unix = *last_seen;

  const auto rtt_field = entry.find("rtt_ms");
  if (rtt_field != entry.end() && !rtt_field->is_null()) {
    const auto rtt = integer_member<uint32_t>(entry, "rtt_ms", 0, std::numeric_limits<uint32_t>::max());
    if (!rtt) return Failure{std::string("\"rtt_ms\" should be a whole number of milliseconds or null")};
    parsed.rtt_ms = *rtt;
  }

  const auto failures = integer_member<uint32_t>(entry, "failures", 0, std::numeric_limits<uint32_t>::max());
  if (!failures) return Failure{std::string("\"failures\" should be a whole number")};
  parsed.failures = *failures;
  return parsed;
}

}  // namespace

const HostCacheEntry* HostCache::find(const PublicKey& public_key) const {
  const auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const HostCacheEntry& e) { return e.public_key == public_key; });
  return it == entries_.end() ? nullptr : &*it;
}

bool HostCache::record_success(const PublicKey& public_key, const Endpoint& endpoint, int64_t now_unix,
                               std::optional<uint32_t> rtt_ms) {
  if (!usable(endpoint)) return false;
  std::erase_if(entries_,
                [&](const HostCacheEntry& e) { return e.public_key == public_key || e.endpoint == endpoint; });
  entries_.push_back({public_key, endpoint, std::max<int64_t>(now_unix, 0), rtt_ms, 0});
  sort_and_trim();
  return true;
}

void HostCache::record_failure(const PublicKey& public_key) {
  const auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const HostCacheEntry& e) { return e.public_key == public_key; });
  if (it == entries_.end()) return;
  ++it->failures;
  sort_and_trim();
}

bool HostCache::remove(const PublicKey& public_key) {
  return std::erase_if(entries_, [&](const HostCacheEntry& e) { return e.public_key == public_key; }) > 0;
}

void HostCache::sort_and_trim() {
  std::erase_if(entries_, [](const HostCacheEntry& e) { return e.failures >= kHostCacheMaxFailures; });
  std::sort(entries_.begin(), entries_.end(),
            [](const HostCacheEntry& a, const HostCacheEntry& b) { return rank(a) < rank(b); });
  if (entries_.size() > kHostCacheCapacity) entries_.resize(kHostCacheCapacity);
}

std::string encode_host_cache(const HostCache& cache) {
  auto document = new_json_document(kFormat, kVersion);
  auto hosts = nlohmann::ordered_json::array();
  for (const HostCacheEntry& e : cache.entries()) {
    nlohmann::ordered_json rtt = nullptr;
    if (e.rtt_ms) rtt = *e.rtt_ms;
    hosts.push_back({{"public_key", to_hex(e.public_key)},
                     {"endpoint", e.endpoint.to_string()},
                     {"last_seen", e.last_seen_unix},
                     {"rtt_ms", rtt},
                     {"failures", e.failures}});
  }
  document["hosts"] = std::move(hosts);
  return document.dump(2) + "\n";
}

Expected<HostCache, ParseProblem> parse_host_cache(std::string_view text) {
  auto document = parse_json_document(text, kFormat, kVersion);
  if (!document) return Failure{document.error()};
  const auto hosts = document->find("hosts");
  if (hosts == document->end() || !hosts->is_array())
    return Failure{ParseProblem{"\"hosts\" should be a list ([...])"}};
  HostCache cache;
  for (size_t i = 0; i < hosts->size(); ++i) {
    auto entry = parse_entry((*hosts)[i]);
    if (!entry) return Failure{ParseProblem{"host " + std::to_string(i + 1) + ": " + entry.error()}};
    if (cache.find(entry->public_key) != nullptr) {
      return Failure{ParseProblem{"host " + std::to_string(i + 1) + ": the same key is listed twice"}};
    }
    cache.entries_.push_back(std::move(entry).value());
  }
  cache.sort_and_trim();
  return cache;
}

Expected<LoadedProfileFile<HostCache>, FileError> load_host_cache(const std::filesystem::path& path) {
  return load_profile_file<HostCache>(path, kMaxFileSize, parse_host_cache);
}

std::optional<FileError> save_host_cache(const std::filesystem::path& path, const HostCache& cache) {
  return write_profile_text(path, encode_host_cache(cache));
}

}  // namespace koe
