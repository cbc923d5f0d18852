#include "wirewatch/common/memory.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace wirewatch {

bool release_free_memory() {
#if defined(__GLIBC__)
  // pad 0: keep nothing spare at the top of the main heap; every arena's free
  // pages (not only the top) are released with MADV_DONTNEED since glibc 2.8.
  return malloc_trim(0) != 0;
#else
  return false;
#endif
}

}  // namespace wirewatch
