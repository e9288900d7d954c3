#include "tests/sim/loss_lab.hpp"

#include <algorithm>
#include <optional>
#include <queue>

#include "audio/opus_decoder.hpp"
#include "audio/voice_processor.hpp"
#include "audio/voice_receiver.hpp"
#include "audio/voice_sender.hpp"

namespace koe::sim {

namespace {

using std::chrono::milliseconds;

// Pulls are offset from the sender's frame clock, as two machines' would be.
constexpr Duration kPullPhase = std::chrono::microseconds(7300);

template <typename T>
struct InFlight {
  TimePoint at;
  uint64_t order;  // ties leave in sending order
  T item;
  bool operator>(const InFlight& other) const {
    return at != other.at ? at > other.at : order > other.order;
  }
};

template <typename T>
using FlightQueue = std::priority_queue<InFlight<T>, std::vector<InFlight<T>>, std::greater<>>;

VoiceSenderConfig sender_config(const LossLabConfig& config, SeededRandom& random) {
  VoiceSenderConfig c;
  c.encoder.frame = config.frame;
  c.encoder.complexity = config.complexity;
  c.rate = config.rate;
  c.rate.allow_fec = config.repair != Repair::kNone;
  c.rate.allow_redundancy = config.repair == Repair::kFecRedundancy;
  c.first_sequence = static_cast<uint16_t>(random.next());
  c.first_timestamp = static_cast<uint32_t>(random.next());
  return c;
}

}  // namespace

std::string_view to_string(Repair repair) {
  switch (repair) {
    case Repair::kNone: return "none";
    case Repair::kFec: return "fec";
    case Repair::kFecRedundancy: return "fec+red";
  }
  return "unknown";
}

LinkParams lossy_link(double loss, double mean_burst, Duration latency, Duration jitter_mean,
                      Duration jitter_stddev) {
  LinkParams link;
  link.latency = latency;
  link.jitter = Jitter::normal(jitter_mean, jitter_stddev);
  if (mean_burst <= 1.0) {
    link.loss = loss;
  } else if (loss > 0) {
    // Stationary share of the bad state = loss; a bad run lasts mean_burst datagrams.
    link.burst_loss.p_bad_to_good = 1.0 / mean_burst;
    link.burst_loss.p_good_to_bad = loss * link.burst_loss.p_bad_to_good / (1.0 - loss);
    link.burst_loss.loss_good = 0.0;
    link.burst_loss.loss_bad = 1.0;
  }
  return link;
}

LossLabResult run_loss_lab(std::span<const Sample> input, const LossLabConfig& config) {
  SeededRandom random(config.seed);
  VoiceSender sender(sender_config(config, random));
  VoiceReceiver receiver(std::make_unique<OpusVoiceDecoder>());
  LinkState forward_state, reverse_state;
  FlightQueue<Bytes> to_receiver;
  FlightQueue<LossReport> to_sender;
  uint64_t order = 0;

  LossLabResult result;
  const size_t frame = frame_samples(config.frame);
  const Duration period = frame_period(config.frame);
  const double sender_rate = 1.0 + config.skew_ppm * 1e-6;
  const auto send_time = [&](size_t k) {
    return TimePoint(Duration(static_cast<int64_t>(double(k * period.count()) / sender_rate)));
  };
  const size_t frames_in = input.size() / frame;

  std::optional<VoiceProcessor> processor;
  if (config.voice_processing) processor.emplace();
  const std::vector<Sample> far_end_silence(frame, 0);
  std::vector<Sample> captured(frame);

  std::vector<Sample> pulled(frame);
  size_t next_frame = 0;
  // Until everything sent has arrived (or was lost) and been played.
  for (TimePoint now = TimePoint(kPullPhase);
       next_frame < frames_in || !to_receiver.empty() || receiver.jitter_buffer().buffered_packets() > 0;
       now += period) {
    // The sender's frames (and reports reaching it) up to now.
    while (next_frame < frames_in && send_time(next_frame) <= now) {
      const TimePoint sent_at = send_time(next_frame);
      while (!to_sender.empty() && to_sender.top().at <= sent_at) {
        sender.on_peer_report(to_sender.top().item);
        to_sender.pop();
      }
      const auto pcm = input.subspan(next_frame * frame, frame);
      std::copy(pcm.begin(), pcm.end(), captured.begin());
      if (processor) processor->process(captured, far_end_silence);
      if (std::optional<Bytes> datagram = sender.send(captured)) {
        ++result.datagrams_sent;
        const LinkCrossing crossing = cross_link(config.link, forward_state, random, sent_at, datagram->size());
        if (crossing.drop) {
          ++result.datagrams_lost;
        } else {
          to_receiver.push({crossing.exit, order++, std::move(*datagram)});
        }
      }
      ++next_frame;
    }
    while (!to_receiver.empty() && to_receiver.top().at <= now) {
      receiver.on_datagram(to_receiver.top().at, to_receiver.top().item);
      to_receiver.pop();
    }
    receiver.pull(now, pulled);
    result.output.insert(result.output.end(), pulled.begin(), pulled.end());
    if (const auto report = receiver.poll_report(now)) {
      const LinkCrossing crossing = cross_link(config.link, reverse_state, random, now, kLossReportSize);
      if (!crossing.drop) to_sender.push({crossing.exit, order++, *report});
    }
  }

  result.jitter = receiver.jitter_stats();
  result.final_settings = sender.settings();
  const double seconds = std::chrono::duration<double>(send_time(frames_in) - TimePoint{}).count();
  if (seconds > 0) result.send_kbps = double(sender.stats().payload_bytes) * 8 / 1000 / seconds;
  result.quality = score_speech(input, result.output);
  return result;
}

}  // namespace koe::sim
