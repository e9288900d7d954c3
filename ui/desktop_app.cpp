#include "ui/desktop_app.hpp"

#include <imgui.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>

#include "audio/portaudio_library.hpp"
#include "net/user_id.hpp"
#include "ui/first_run_view.hpp"
#include "ui/main_view.hpp"
#include "ui/node_host.hpp"
#include "ui/screenshot.hpp"
#include "ui/script_runner.hpp"
#include "ui/window.hpp"

namespace koe::ui {

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr const char* kScriptVariable = "KOE_UI_SCRIPT";  // tests only

// Redraw pacing: idle frames only pick up new snapshots; calls animate meters and timers.
constexpr double kIdleRefreshS = 0.25;
constexpr double kBusyRefreshS = 0.1;  // starting, saving
constexpr double kLiveRefreshS = 1.0 / 30.0;

double monotonic_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <typename T>
bool ready(const std::future<T>& f) {
  return f.valid() && f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

DeviceChoices list_devices() {
  DeviceChoices choices;
  auto devices = list_audio_devices();
  if (!devices) {
    choices.error = devices.error();
    return choices;
  }
  for (const AudioDeviceInfo& d : *devices) {
    if (d.max_input_channels > 0) choices.inputs.push_back(d.name);
    if (d.max_output_channels > 0) choices.outputs.push_back(d.name);
  }
  if (choices.inputs.empty() && choices.outputs.empty()) choices.error = "no sound card found";
  return choices;
}

class DesktopApp final : public FrameClient {
 public:
  DesktopApp(Profile& profile, std::optional<ScriptRunner> script)
      : profile_(profile), node_(profile), saved_(profile.settings()), script_(std::move(script)) {
    if (script_) probe_.attach();
    first_run_ = saved_.display_name.empty();
    if (!first_run_) node_.start();
    refresh_devices();
  }
  ~DesktopApp() override {
    if (saving_.valid()) saving_.wait();  // the settings file must not be left half-done
    probe_.detach();
  }

  void before_frame() override {
    if (script_) script_->before_frame(ImGui::GetIO());
  }

  void draw() override {
    poll_tasks();
    if (script_) probe_.begin_frame();
    if (first_run_) {
      draw_first_run();
    } else {
      draw_main();
    }
    if (script_) {
      probe_.end_frame();
      script_->after_draw(probe_, monotonic_seconds());
    }
  }

  void after_render(int width, int height) override {
    if (!script_) return;
    if (auto file = script_->screenshot_due()) script_->screenshot_taken(save_screenshot_png(*file, width, height));
  }

  double wait_seconds() const override {
    if (script_) return 0;  // scripted runs go frame after frame (still capped)
    if (snapshot_.call) return kLiveRefreshS;
    if (saving_.valid() || node_.starting()) return kBusyRefreshS;
    return kIdleRefreshS;
  }

  bool keep_running() const override { return !(script_ && script_->finished()); }

  int exit_status() const {
    if (script_ && script_->failed()) {
      std::fprintf(stderr, "koe: ui script %s\n", script_->failure().c_str());
      return kExitFailure;
    }
    return 0;
  }

 private:
  void draw_first_run() {
    const std::string user_id = to_user_id(profile_.identity().node_id());
    if (auto name = first_run_view_.draw(user_id, saving_.valid(), save_error_)) {
      Settings named = saved_;
      named.display_name = *name;
      save(named);
    }
  }

  void draw_main() {
    snapshot_ = node_.snapshot();
    const CommandSink sink = [this](NodeCommand command) { node_.command(std::move(command)); };
    const SettingsPageContext context{.saved = saved_,
                                      .devices = devices_,
                                      .saving = saving_.valid(),
                                      .save_error = save_error_,
                                      .restart_needed = encode_settings(saved_) != encode_settings(node_.running_settings()),
                                      .echo_service_id = node_.echo_service_id()};
    const SettingsRequests requests = main_.draw(snapshot_, sink, context, monotonic_seconds());
    if (requests.save) save(*requests.save);
    if (requests.refresh_devices) refresh_devices();
    if (requests.restart_network && !saving_.valid()) node_.start();
  }

  // Profile::save_settings writes atomically with fsync: a helper thread does it, and
  // until it is done nothing on this thread touches the profile's settings.
  void save(Settings settings) {
    if (saving_.valid()) return;
    save_error_.clear();
    requested_ = settings;
    saving_ = std::async(std::launch::async, [this, settings = std::move(settings)] { return profile_.save_settings(settings); });
  }

  void poll_tasks() {
    if (ready(saving_)) {
      if (auto error = saving_.get()) {
        save_error_ = error->message();
      } else {
        saved_ = requested_;
        if (first_run_) {
          first_run_ = false;
          node_.start();
        }
      }
    }
    if (ready(devices_task_)) {
      devices_ = devices_task_.get();
      devices_.loading = false;
    }
  }

  void refresh_devices() {
    if (devices_task_.valid()) return;
    devices_.loading = true;
    devices_task_ = std::async(std::launch::async, list_devices);
  }

  Profile& profile_;
  NodeHost node_;
  Settings saved_;      // as in settings.json; the UI's copy
  Settings requested_;  // being saved
  std::future<std::optional<FileError>> saving_;
  std::string save_error_;
  std::future<DeviceChoices> devices_task_;
  DeviceChoices devices_;
  bool first_run_ = false;
  FirstRunView first_run_view_;
  MainView main_;
  AppSnapshot snapshot_;
  std::optional<ScriptRunner> script_;
  ItemProbe probe_;
};

// The test script named by KOE_UI_SCRIPT, if any; an unreadable or malformed one is an error.
Expected<std::optional<ScriptRunner>, std::string> load_script() {
  const char* path = std::getenv(kScriptVariable);
  if (path == nullptr || *path == '\0') return std::optional<ScriptRunner>();
  std::ifstream in(path);
  if (!in) return Failure{std::string("cannot read ") + path};
  std::stringstream text;
  text << in.rdbuf();
  auto steps = parse_ui_script(text.str());
  if (!steps) return Failure{std::string(path) + ": " + steps.error()};
  return std::optional<ScriptRunner>(ScriptRunner(std::move(*steps)));
}

}  // namespace

int run_desktop_app(Profile& profile) {
  auto script = load_script();
  if (!script) {
    std::fprintf(stderr, "koe: %s: %s\n", kScriptVariable, script.error().c_str());
    return kExitUsage;
  }
  std::string error;
  auto window = Window::open("Koe", error);
  if (!window) {
    std::fprintf(stderr, "koe: %s; run 'koe --headless' for a node without a window\n", error.c_str());
    return kExitFailure;
  }
  int status = 0;
  {
    DesktopApp app(profile, std::move(*script));
    window->run(app);
    status = app.exit_status();
  }
  return status;
}

}  // namespace koe::ui
