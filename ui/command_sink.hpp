// CommandSink: where views push NodeCommands: the node's queue in the app, a
// recorder in tests. UI thread; a sink only queues, it never blocks.
#pragma once

#include <functional>

#include "app/node_command.hpp"

namespace koe::ui {

using CommandSink = std::function<void(NodeCommand)>;

}  // namespace koe::ui
