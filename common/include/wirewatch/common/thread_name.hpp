#pragma once
// Names the calling thread as `top -H`, `ps -L`, gdb and perf show it.

namespace wirewatch {

// `name` is cut to 15 bytes (the kernel's limit). Best effort: failures are ignored.
void name_this_thread(const char* name);

}  // namespace wirewatch
