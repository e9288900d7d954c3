// Window: the GLFW + OpenGL3 + Dear ImGui lifecycle (fonts, theme, HiDPI scale) and
// the frame loop, which sleeps in glfwWaitEventsTimeout when idle and caps the rate.
// UI (main) thread only. Owns the GLFW window and the ImGui context.
#pragma once

#include <memory>
#include <string>

struct GLFWwindow;

namespace koe::ui {

// What the frame loop runs; implemented by the app.
class FrameClient {
 public:
  virtual ~FrameClient() = default;
  // After the platform backend read input, before ImGui::NewFrame: may feed input.
  virtual void before_frame() {}
  // Between ImGui::NewFrame and ImGui::Render.
  virtual void draw() = 0;
  // The frame is rendered into the back buffer of width x height pixels, not yet shown.
  virtual void after_render(int width, int height) = 0;
  // How long to wait for input before drawing the next frame anyway (seconds; 0: now).
  virtual double wait_seconds() const = 0;
  virtual bool keep_running() const = 0;
};

class Window {
 public:
  // Opens a window; on failure (no display, no OpenGL 3.3) returns nullptr and
  // sets `error` to one line saying why.
  static std::unique_ptr<Window> open(const std::string& title, std::string& error);
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  // Runs frames until the window is closed or the client says stop.
  void run(FrameClient& client);
  // Which font the window uses (one line, for the log).
  const std::string& font_note() const { return font_note_; }

 private:
  Window(GLFWwindow* window, std::string font_note) : window_(window), font_note_(std::move(font_note)) {}
  GLFWwindow* window_;
  std::string font_note_;
};

}  // namespace koe::ui
