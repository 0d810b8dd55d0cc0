// What the account services share about bcrypt: a pool-wide hashing slot
// (BCRYPT_MAX_CONCURRENT, common/bcrypt_gate.h) taken around every hash and
// verification a request runs, and the hash an unknown account is checked
// against so that it costs the same time as a known one.
#pragma once

#include <string>

#include "common/bcrypt_gate.h"

namespace services {

// How long a request waits for a hashing slot before it gives up. Short on
// purpose: a worker that waits serves nothing else either, so a long wait
// would let a flood of logins occupy the whole pool after all.
inline constexpr int kHashingSlotWaitMs = 50;

// A hashing slot, held until the Permit ends. Throws AppError(kUnavailable)
// with `Retry-After: 1` when every slot stayed busy for kHashingSlotWaitMs
// (a flood of logins: the rest of the pool keeps serving meanwhile).
[[nodiscard]] common::bcrypt_gate::Permit hashing_slot();

// A bcrypt hash of a random password at `cost`, made once per cost and
// process (run it holding a slot: the first call hashes).
const std::string& dummy_hash(int cost);

}  // namespace services
