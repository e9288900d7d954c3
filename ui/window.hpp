// Window: the GLFW + OpenGL3 + Dear ImGui lifecycle and the frame loop.
// UI (main) thread only. Owns the GLFW window and the ImGui context.
#pragma once

#include <functional>
#include <memory>
#include <string>

struct GLFWwindow;

namespace koe::ui {

class Window {
 public:
  // Opens a window; on failure (no display, no OpenGL 3.3) returns nullptr and
  // sets `error` to one line saying why.
  static std::unique_ptr<Window> open(const std::string& title, std::string& error);
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  // Runs frames until the window is closed or keep_running() says stop. Idle
  // frames wait for input (or `idle_refresh_s`) instead of redrawing busily.
  void run(const std::function<void()>& draw_frame, const std::function<bool()>& keep_running,
           double idle_refresh_s = 0.25);
  // Thread-safe: wakes the frame loop (new snapshot available).
  static void wake();

 private:
  explicit Window(GLFWwindow* window) : window_(window) {}
  GLFWwindow* window_;
};

}  // namespace koe::ui
