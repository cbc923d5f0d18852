#pragma once
// Returning freed heap memory to the system.
//
// glibc keeps memory that was freed inside its arenas (one per thread that
// allocates, up to 8 per core) and gives back only the top of each heap. After a
// burst — a config of 10,000 sources parsed at start, a first poll that stores
// 200,000 records — most of that memory is free but still counted in RSS, and a
// daemon that pays for its peak for the rest of its life is a poor neighbour.

#include <cstddef>

namespace wirewatch {

// Gives free heap pages back to the system (glibc's malloc_trim over every arena).
// Costs a walk of the free lists: call it after a burst or at most about once a
// second, not per allocation. Returns true when memory was released; a no-op that
// returns false where the C library offers no such call.
bool release_free_memory();

}  // namespace wirewatch
