// Helpers for the index unit tests: seeded signers and valid presence records.
// Test thread only.
#pragma once

#include <string>

#include "index/presence_record.hpp"
#include "net/random.hpp"
#include "tests/sim/plain_key_signer.hpp"

namespace koe::index_test {

inline constexpr uint64_t kNowUnix = 1'700'000'000;

// A record for `signer` valid for an hour after kNowUnix.
inline PresenceRecord record_for(const RecordSigner& signer, std::string name = "Kalimo Serutan",
                                 uint64_t sequence = 1) {
  PresenceRecord r;
  r.id = node_id_from_public_key(signer.public_key());
  r.public_key = signer.public_key();
  r.sequence = sequence;
  r.expires_at = kNowUnix + 3600;
  r.nat_class = NatClass::kPortRestricted;
  r.capabilities = 0x5;
  r.display_name = std::move(name);
  r.endpoints = {{EndpointKind::kReflexive, {Endpoint::make_ip(203, 0, 113, 7), 40000}},
                 {EndpointKind::kLan, {Endpoint::make_ip(192, 168, 1, 10), 40000}}};
  r.supernodes = {{NodeId{}, {Endpoint::make_ip(198, 51, 100, 1), 33445}, std::nullopt}};
  return r;
}

}  // namespace koe::index_test
