#include "ui/window.hpp"

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <chrono>
#include <thread>

#include "ui/fonts.hpp"
#include "ui/theme.hpp"

namespace koe::ui {

namespace {

std::string g_last_glfw_error;  // written by GLFW's callback on the UI thread

void on_glfw_error(int /*code*/, const char* description) { g_last_glfw_error = description; }

// Vsync does nothing under Xvfb and on some drivers: cap the rate ourselves.
constexpr double kMaxFramesPerSecond = 60.0;

}  // namespace

std::unique_ptr<Window> Window::open(const std::string& title, std::string& error) {
  glfwSetErrorCallback(on_glfw_error);
  if (!glfwInit()) {
    error = "no display available (" + g_last_glfw_error + ")";
    return nullptr;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);  // HiDPI: the window grows with the scale
  GLFWwindow* window = glfwCreateWindow(960, 680, title.c_str(), nullptr, nullptr);
  if (window == nullptr) {
    error = "cannot open a window with OpenGL 3.3 (" + g_last_glfw_error + ")";
    glfwTerminate();
    return nullptr;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(1);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // layout is ours; don't litter the working directory
  float scale_x = 1.0f, scale_y = 1.0f;
  glfwGetWindowContentScale(window, &scale_x, &scale_y);
  // Fonts are rasterised at the scaled size (sharp), not stretched with FontGlobalScale.
  std::string font_note = load_fonts(scale_x);
  theme::apply(scale_x);
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
  return std::unique_ptr<Window>(new Window(window, std::move(font_note)));
}

Window::~Window() {
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window_);
  glfwTerminate();
}

void Window::run(FrameClient& client) {
  using Clock = std::chrono::steady_clock;
  const auto min_frame = std::chrono::duration<double>(1.0 / kMaxFramesPerSecond);
  while (!glfwWindowShouldClose(window_) && client.keep_running()) {
    const auto frame_start = Clock::now();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    client.before_frame();
    ImGui::NewFrame();
    client.draw();
    ImGui::Render();
    int width = 0, height = 0;
    glfwGetFramebufferSize(window_, &width, &height);
    glViewport(0, 0, width, height);
    const ImVec4 background = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    glClearColor(background.x, background.y, background.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    client.after_render(width, height);
    glfwSwapBuffers(window_);
    const auto elapsed = Clock::now() - frame_start;
    if (elapsed < min_frame) std::this_thread::sleep_for(min_frame - elapsed);
    // Idle: sleep until input arrives or the client wants a fresh frame (new state).
    if (const double wait = client.wait_seconds(); wait > 0) {
      glfwWaitEventsTimeout(wait);
    } else {
      glfwPollEvents();
    }
  }
}

}  // namespace koe::ui
