// The identity.key file format: a magic/version line, the Ed25519 secret seed and the
// public key (to detect corruption), all text. Pure functions; any thread.
#pragma once

#include <string>

#include "net/bytes.hpp"
#include "net/expected.hpp"
#include "net/identity.hpp"

namespace koe {

// The file's text. It holds the secret: the caller wipes it (sodium_memzero) after use.
Bytes encode_identity_file(const Identity& identity);

// The identity in `text`, or what is wrong with it (without the file name).
Expected<Identity, std::string> parse_identity_file(ByteView text);

}  // namespace koe
