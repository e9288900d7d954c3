// VoiceEngine: joins the audio device to the node's calls. Its media thread paces itself
// on the device's capture ring: microphone -> voice processing -> one encoder per call ->
// SendVoice; and per call jitter buffer -> peer gain -> mix (with any alert sound) ->
// playback ring (which is also the echo canceller's reference). Public methods: any
// thread, except that the owner thread alone calls start/stop. The engine owns the
// device and all call media.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "audio/alert_sounds.hpp"
#include "audio/audio_device.hpp"
#include "audio/call_media.hpp"
#include "audio/clip_player.hpp"
#include "audio/levels.hpp"
#include "audio/voice_mixer.hpp"
#include "audio/voice_processor.hpp"
#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/random.hpp"

namespace koe {

struct VoiceEngineConfig {
  FrameLength frame = kDefaultFrameLength;  // 10 or 20 ms
  EchoCancellerKind echo_canceller = kDefaultEchoCanceller;
  // Voice detection is off: nothing here uses its decision (Opus's own detector drives
  // DTX), and it costs about 1% of the per-frame work (callgrind).
  VoiceProcessingSwitches processing{.voice_activity_detection = false};
  // Codec and jitter-buffer settings for every call. The engine sets the encoder's
  // frame length and a random first sequence number and timestamp per call.
  CallMediaConfig call;
  // Inbound datagrams waiting for the media thread, all calls together; more are
  // dropped (and counted) rather than queued without bound.
  size_t max_queued_datagrams = 256;
  // How long before the device takes it a playback frame is mixed and written: the
  // headroom for the media thread's own lateness (a late frame is a dropout). A whole
  // frame gives the most safety and a frame more latency.
  Duration playout_lead = std::chrono::milliseconds(5);
  // Seeds the per-call first sequence numbers and timestamps; 0: the system CSPRNG.
  uint64_t random_seed = 0;
  // The ringtone and ring-back (load_alert_sounds); null: start_alert plays nothing.
  std::shared_ptr<const AlertSounds> alerts;
};

// Engine-wide counters (any thread, a consistent copy).
struct VoiceEngineStats {
  uint64_t frames_captured = 0;         // microphone frames the media thread took
  uint64_t frames_written = 0;          // playback frames handed to the device
  uint64_t playback_frames_skipped = 0;  // not written: the device was a frame behind us
  uint64_t datagrams_unknown_call = 0;   // delivered for a call that is not open
  uint64_t datagrams_oversized = 0;      // longer than any voice frame: not queued
  Duration media_thread_cpu{0};          // CPU time the media thread has used
};

class VoiceEngine {
 public:
  // Called on the media thread with each outgoing voice datagram payload for `call`.
  // Must not block (the node posts it to the net thread) and must not call stop().
  using SendVoice = std::function<void(uint64_t call, Bytes payload)>;

  // Throws std::runtime_error if the codec or voice processing cannot be set up.
  VoiceEngine(std::unique_ptr<AudioDevice> device, VoiceEngineConfig config, SendVoice send);
  ~VoiceEngine();  // stops
  VoiceEngine(const VoiceEngine&) = delete;
  VoiceEngine& operator=(const VoiceEngine&) = delete;

  // Owner thread. start() starts the device and the media thread; false (with
  // device_status().error) when the device cannot run. stop() is idempotent; calls
  // stay open across a stop and start.
  bool start();
  void stop();

  // A call's media flows between open and close. Opening the first call restarts a
  // replaying device (the clocked WAV device) from its beginning, so a recording starts
  // with the call. Opening an open call does nothing; closing forgets its statistics.
  void open_call(uint64_t call);
  void close_call(uint64_t call);
  // A voice payload that arrived from the call's peer (the net thread). Never blocks
  // for long: it is queued for the media thread.
  void deliver(uint64_t call, ByteView payload);

  // Any thread (the net thread): an alert sound loops on the speaker, mixed over any
  // call audio and untouched by mute, until stop_alert or another start_alert. The
  // device runs from start() to stop(), calls or not, so the alert needs no call.
  void start_alert(AlertSound sound) { alerts_.start(sound); }
  void stop_alert() { alerts_.stop(); }

  void set_muted(bool muted);
  // The peer's playback gain, linear, clamped to 0..2 (NaN ignored).
  void set_peer_volume(uint64_t call, float gain);
  void set_processing(VoiceProcessingSwitches switches) { processor_.set_switches(switches); }
  // Echo test service: for this call, record what arrives for `record_for` (from the
  // caller's first audio), then send it back as our voice, then report finished.
  void set_echo_mode(uint64_t call, Duration record_for);
  bool echo_finished(uint64_t call) const;

  // All zeros for a call that is not open.
  CallMediaStats stats(uint64_t call) const;
  VoiceEngineStats engine_stats() const;
  AudioLevelsView levels() const { return levels_.view(); }
  AudioDeviceStatus device_status() const { return device_->status(); }

 private:
  // What the controlling threads want for one open call, and what they can read.
  struct CallSlot {
    uint64_t generation = 0;  // a close and reopen is a new call
    float gain = 1.0f;
    std::optional<Duration> echo_record_for;
    uint64_t echo_generation = 0;  // bumped by each set_echo_mode
    CallMediaStats published;  // the media thread's last copy
    uint64_t dropped = 0;      // inbound queue overflow
  };
  struct Inbound {
    uint64_t call;
    uint64_t generation;
    TimePoint arrival;
    Bytes payload;
  };
  // The media thread's own state for one call.
  struct ActiveCall {
    uint64_t generation;
    uint64_t echo_generation = 0;
    std::unique_ptr<CallMedia> media;
  };

  // Media thread.
  void run();
  void service();  // everything due now: inbound datagrams, control changes, frames
  void take_controls_and_inbound();
  void sync_calls(const std::map<uint64_t, CallSlot>& wanted);
  void capture_frame(TimePoint now);  // microphone -> processing -> every call's sender
  void play_frame(TimePoint now);     // every call's receiver -> mix -> speaker
  uint64_t frames_played() const;     // written or skipped
  TimePoint playout_at() const;       // when the next playback frame is mixed
  bool playout_due(TimePoint now) const;
  void publish();
  TimePoint next_wake(TimePoint now) const;
  void learn_frame_clock(TimePoint found_at);  // a capture frame was found at found_at

  const VoiceEngineConfig config_;
  const size_t frame_samples_;
  const Duration frame_period_;
  const SendVoice send_;
  const SteadyClock clock_;
  std::unique_ptr<AudioDevice> device_;
  AudioLevels levels_;
  VoiceProcessor processor_;  // set_switches: any thread; process: media thread

  // Guards everything down to the thread.
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool controls_changed_ = false;
  uint64_t next_generation_ = 1;
  std::map<uint64_t, CallSlot> slots_;
  std::deque<Inbound> inbound_;
  VoiceEngineStats engine_stats_;  // the deliver() counters live here; the rest published
  std::thread thread_;

  // Media thread only.
  std::map<uint64_t, ActiveCall> calls_;
  std::unique_ptr<Random> random_;
  VoiceMixer mixer_;
  ClipPlayer alerts_;  // start/stop: any thread; mixing: media thread
  std::vector<Sample> capture_;    // one frame
  std::vector<Sample> reference_;  // the last frame handed to the speaker
  std::vector<Sample> voice_;      // one call's pulled frame
  std::vector<Inbound> taken_;     // inbound moved out of the queue
  std::optional<TimePoint> last_frame_at_;
  std::optional<TimePoint> next_frame_at_;  // when the next capture frame is expected
  bool frame_missed_ = false;               // a wake since the last frame found none
  int frames_ahead_ = 0;
  VoiceEngineStats media_stats_;
};

}  // namespace koe
