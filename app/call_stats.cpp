#include "app/call_stats.hpp"

#include <algorithm>
#include <chrono>

#include "net/user_id.hpp"

namespace koe {

namespace {

double milliseconds(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double fraction(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0 : std::min(1.0, static_cast<double>(part) / static_cast<double>(whole));
}

nlohmann::ordered_json optional_ms(const std::optional<Duration>& d) {
  if (!d) return nullptr;
  return milliseconds(*d);
}

}  // namespace

namespace emodel {

double delay_impairment(double one_way_delay_ms) {
  const double d = std::max(0.0, one_way_delay_ms);
  constexpr double kKnee = 177.3;  // where echo and interactivity start to hurt more
  return 0.024 * d + (d > kKnee ? 0.11 * (d - kKnee) : 0.0);
}

double loss_impairment(double loss_percent) {
  const double ppl = std::clamp(loss_percent, 0.0, 100.0);
  constexpr double kBurstR = 1.0;  // random loss
  return kOpusIe + (95.0 - kOpusIe) * ppl / (ppl / kBurstR + kOpusBpl);
}

double r_factor(double one_way_delay_ms, double loss_percent) {
  return kBaseR - delay_impairment(one_way_delay_ms) - loss_impairment(loss_percent);
}

double mos_from_r(double r) {
  if (r <= 0.0) return 1.0;
  if (r >= 100.0) return 4.5;
  const double mos = 1.0 + 0.035 * r + 7e-6 * r * (r - 60.0) * (100.0 - r);
  return std::clamp(mos, 1.0, 4.5);  // the polynomial dips just below 1 for small R
}

double estimate_mos(double one_way_delay_ms, double loss_percent) {
  return mos_from_r(r_factor(one_way_delay_ms, loss_percent));
}

}  // namespace emodel

std::string_view to_string(CallPath path) {
  switch (path) {
    case CallPath::kUnknown:
      return "unknown";
    case CallPath::kDirect:
      return "direct";
    case CallPath::kLan:
      return "lan";
    case CallPath::kRelay:
      return "relay";
  }
  return "unknown";
}

double network_loss_fraction(const CallStats& stats) {
  return fraction(stats.packets_lost, stats.packets_received + stats.packets_lost);
}

double residual_loss_fraction(const CallStats& stats) {
  return fraction(stats.frames_concealed, stats.packets_received + stats.packets_lost);
}

double mouth_to_ear_delay_ms(const CallStats& stats) {
  const double network = stats.rtt ? milliseconds(*stats.rtt) / 2.0 : 0.0;
  return network + milliseconds(stats.jitter_buffer_delay) + emodel::kCodecDelayMs;
}

double mos_estimate(const CallStats& stats) {
  return emodel::estimate_mos(mouth_to_ear_delay_ms(stats), 100.0 * residual_loss_fraction(stats));
}

nlohmann::ordered_json to_json(const CallStats& stats) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  json["peer"] = to_user_id(stats.peer);
  json["connected"] = stats.connected;
  json["path"] = std::string(to_string(stats.path));
  json["relay"] = stats.relay ? nlohmann::ordered_json(stats.relay->to_string()) : nlohmann::ordered_json(nullptr);
  json["setup_ms"] = optional_ms(stats.setup_time);
  json["rtt_ms"] = optional_ms(stats.rtt);
  json["packets_sent"] = stats.packets_sent;
  json["packets_received"] = stats.packets_received;
  json["packets_lost"] = stats.packets_lost;
  json["loss_percent"] = 100.0 * network_loss_fraction(stats);
  json["frames_concealed"] = stats.frames_concealed;
  json["frames_fec_recovered"] = stats.frames_fec_recovered;
  json["jitter_buffer_ms"] = milliseconds(stats.jitter_buffer_delay);
  json["bitrate_bps"] = stats.bitrate_bps;
  json["mos_estimate"] = mos_estimate(stats);
  return json;
}

}  // namespace koe
