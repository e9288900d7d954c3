// The one-shot subcommands: `koe search QUERY` (a short-lived node asks the Global
// Index) and `koe contacts list|add|remove|block` (edits the profile's contact list
// offline). Main thread; they print to stdout/stderr and return the exit status.
#pragma once

#include "app/cli.hpp"
#include "app/profile.hpp"

namespace koe {

int run_search(const Profile& profile, const CliOptions& options);
int run_contacts(const Profile& profile, const CliOptions& options);

}  // namespace koe
