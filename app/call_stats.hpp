// CallStats: one call's statistics as the UI and `koe --stats-json` show them (path,
// round-trip time, loss, jitter-buffer delay, bitrate, packet and frame counts, setup
// time) and a MOS estimate from a simplified ITU-T G.107 E-model.
// Plain values and pure functions; any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "net/clock.hpp"
#include "net/endpoint.hpp"
#include "net/identity.hpp"

namespace koe {

enum class CallPath : uint8_t {
  kUnknown,  // not connected yet
  kDirect,   // straight to the peer's public (or hole-punched) endpoint
  kLan,      // to the peer's private address on our own network
  kRelay,    // through a supernode's relay
};

// "unknown", "direct", "lan", "relay".
std::string_view to_string(CallPath path);

struct CallStats {
  NodeId peer;
  bool connected = false;
  CallPath path = CallPath::kUnknown;
  std::optional<Endpoint> relay;       // the relay carrying a relayed call
  std::optional<Duration> setup_time;  // dialling to answer (CallInfo::answered - started)
  std::optional<Duration> rtt;         // the latest measured round trip
  Duration jitter_buffer_delay{0};     // the receive jitter buffer's current delay
  uint32_t bitrate_bps = 0;            // the Opus bitrate we send at
  uint64_t packets_sent = 0;           // voice datagrams we sent
  uint64_t packets_received = 0;       // voice datagrams that arrived from the peer
  uint64_t packets_lost = 0;           // the peer's datagrams that never arrived
  uint64_t frames_concealed = 0;       // played frames nothing could rebuild
  uint64_t frames_fec_recovered = 0;   // lost frames rebuilt from the next packet's FEC

  friend bool operator==(const CallStats&, const CallStats&) = default;
};

// Network loss: lost / (received + lost); 0 before any packet.
double network_loss_fraction(const CallStats& stats);
// Loss left after repair (FEC, redundancy): concealed frames / expected frames.
double residual_loss_fraction(const CallStats& stats);
// Estimated one-way mouth-to-ear delay: half the round trip (zero before a sample),
// the jitter buffer, and the codec's framing and look-ahead (kCodecDelayMs).
double mouth_to_ear_delay_ms(const CallStats& stats);
// The E-model MOS for this call's delay and residual loss.
double mos_estimate(const CallStats& stats);

// The call as one JSON object: peer (koe1 ID), connected, path, relay ("ip:port" or
// null), setup_ms and rtt_ms
// (null until known), packets_sent, packets_received, packets_lost, loss_percent,
// frames_concealed, frames_fec_recovered, jitter_buffer_ms, bitrate_bps, mos_estimate.
nlohmann::ordered_json to_json(const CallStats& stats);

// The simplified E-model (ITU-T G.107 with its default parameters):
//   R = Ro - Is - Id - Ie,eff (+ A = 0), with Ro - Is = 93.2 for the defaults;
//   Id     = 0.024 d + 0.11 (d - 177.3) H(d - 177.3)   (d: one-way delay in ms; the
//            usual fit of G.107's Idd + Idte with default echo loss, Cole & Rosenbluth 2001);
//   Ie,eff = Ie + (95 - Ie) Ppl / (Ppl / BurstR + Bpl) (Ppl: loss in %; random loss, BurstR = 1);
//   MOS    = 1 + 0.035 R + 7e-6 R (R - 60) (100 - R), 1 for R < 0, 4.5 for R > 100.
// This is the narrowband scale (best MOS about 4.4), the scale the usual tools report.
namespace emodel {

inline constexpr double kBaseR = 93.2;  // Ro - Is with G.107's default parameters
// G.113 lists no Opus values. Ie = 0: Opus at speech bitrates (16-40 kbps) is at least
// as clean as G.711 on the narrowband scale, whose Ie is 0. Bpl = 25.1: G.113's value
// for G.711 with packet-loss concealment; conservative for Opus, whose concealment is
// better, and FEC-repaired frames are not counted as lost at all.
inline constexpr double kOpusIe = 0.0;
inline constexpr double kOpusBpl = 25.1;
// 20 ms frame plus Opus' 6.5 ms look-ahead (MACHINE-NOTES.md).
inline constexpr double kCodecDelayMs = 26.5;

double delay_impairment(double one_way_delay_ms);
double loss_impairment(double loss_percent);
double r_factor(double one_way_delay_ms, double loss_percent);
double mos_from_r(double r);
double estimate_mos(double one_way_delay_ms, double loss_percent);

}  // namespace emodel

}  // namespace koe
