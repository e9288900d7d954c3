#include "audio/device_file.hpp"

#include <algorithm>
#include <utility>

namespace koe {

Expected<std::unique_ptr<ClockedWavDevice>, std::string> ClockedWavDevice::open(
    const ClockedDeviceOptions& options) {
  if (options.output_rate < kMinSampleRate || options.output_rate > kMaxSampleRate)
    return Failure{"output sample rate " + std::to_string(options.output_rate) +
                   " Hz is outside " + std::to_string(kMinSampleRate) + ".." +
                   std::to_string(kMaxSampleRate)};
  std::vector<Sample> source;
  if (!options.input_path.empty()) {
    auto loaded = load_wav_48k(options.input_path);
    if (!loaded) return Failure{loaded.error()};
    if (loaded->empty()) return Failure{options.input_path + ": the WAV file holds no samples"};
    source = std::move(*loaded);
  }
  std::optional<WavWriter> sink;
  if (!options.output_path.empty()) {
    auto created = WavWriter::create(options.output_path, options.output_rate);
    if (!created) return Failure{created.error()};
    sink.emplace(std::move(*created));
  }
  return std::unique_ptr<ClockedWavDevice>(
      new ClockedWavDevice(options, std::move(source), std::move(sink)));
}

ClockedWavDevice::ClockedWavDevice(const ClockedDeviceOptions& options,
                                   std::vector<Sample> source, std::optional<WavWriter> sink)
    : options_(options),
      period_(frame_period(options.frame)),
      source_(std::move(source)),
      sink_(std::move(sink)),
      sink_resampler_(kSampleRate, options.output_rate),
      frame_(frame_samples(options.frame)) {
  const size_t max_ratio = kMaxSampleRate / kSampleRate;
  resampled_.reserve(frame_.size() * max_ratio + 64);
}

ClockedWavDevice::~ClockedWavDevice() { stop(); }

bool ClockedWavDevice::start() {
  if (running_.load()) return true;
  first_tick_.reset();
  running_.store(true);
  if (options_.own_thread)
    thread_ = std::make_unique<PacedThread>(period_, [this](TimePoint now) { tick(now); });
  return true;
}

void ClockedWavDevice::stop() {
  if (!running_.load()) return;
  thread_.reset();  // joins: no tick runs after this
  running_.store(false);
  finish_recording();
}

AudioDeviceStatus ClockedWavDevice::status() const {
  AudioDeviceStatus s = counters();
  s.running = running_.load();
  s.input_name = options_.input_path.empty() ? "silence" : options_.input_path;
  s.output_name = options_.output_path.empty() ? "discard" : options_.output_path;
  std::lock_guard lock(error_mutex_);
  s.error = error_.empty() ? options_.note : error_;
  return s;
}

void ClockedWavDevice::restart_from_beginning() { restart_requested_.store(true); }

void ClockedWavDevice::tick(TimePoint now) {
  if (!running_.load()) return;
  if (restart_requested_.exchange(false)) {
    source_pos_ = 0;
    if (sink_ && !sink_->truncate()) set_error(sink_->error());
    sink_resampler_.reset();
  }
  if (!first_tick_) {
    first_tick_ = now;
    frames_moved_ = 0;
    return;
  }
  if (now <= *first_tick_) return;
  const auto due = static_cast<uint64_t>((now - *first_tick_) / period_);
  if (due > frames_moved_ + kMaxCatchUpFrames) {
    // The driver stalled for longer than the rings could cover anyway: those
    // frames are lost, like a sound card's after an xrun.
    frames_moved_ = due - kMaxCatchUpFrames;
    rings().overruns.fetch_add(1, std::memory_order_relaxed);
  }
  for (; frames_moved_ < due; ++frames_moved_) move_one_frame();
}

TimePoint ClockedWavDevice::next_tick() const {
  if (!running_.load()) return kNever;
  if (!first_tick_) return TimePoint{};
  return *first_tick_ + period_ * static_cast<int64_t>(frames_moved_ + 1);
}

void ClockedWavDevice::move_one_frame() {
  fill_from_source();
  rings().push_capture(frame_);
  rings().pull_playback(frame_);
  record(frame_);
}

void ClockedWavDevice::fill_from_source() {
  if (source_.empty()) {
    std::fill(frame_.begin(), frame_.end(), Sample{0});
    return;
  }
  for (size_t filled = 0; filled < frame_.size();) {
    const size_t n = std::min(frame_.size() - filled, source_.size() - source_pos_);
    std::copy_n(source_.begin() + static_cast<std::ptrdiff_t>(source_pos_), n,
                frame_.begin() + static_cast<std::ptrdiff_t>(filled));
    filled += n;
    source_pos_ = (source_pos_ + n) % source_.size();
  }
}

void ClockedWavDevice::record(std::span<const Sample> played) {
  if (!sink_) return;
  resampled_.clear();
  sink_resampler_.process(played, resampled_);
  if (!sink_->append(resampled_)) set_error(sink_->error());
}

void ClockedWavDevice::finish_recording() {
  if (!sink_) return;
  resampled_.clear();
  sink_resampler_.flush(resampled_);
  sink_resampler_.reset();
  if (!resampled_.empty() && !sink_->append(resampled_)) set_error(sink_->error());
}

void ClockedWavDevice::set_error(const std::string& error) {
  std::lock_guard lock(error_mutex_);
  error_ = error;
}

}  // namespace koe
