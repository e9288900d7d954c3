#include "app/app_snapshot.hpp"

namespace koe {

std::string_view to_string(NodeRole role) { return role == NodeRole::kSupernode ? "supernode" : "client"; }

}  // namespace koe
