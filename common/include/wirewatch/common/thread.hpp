#pragma once
// What the kernel knows of the calling thread: its name, as `top -H`, `ps -L`,
// gdb and perf show it, and its share of the CPU.

namespace wirewatch {

// `name` is cut to 15 bytes (the kernel's limit). Best effort: failures are ignored.
void name_this_thread(const char* name);

// For threads whose work may wait (the record files, WAL checkpoints): 10 nice
// levels below the process (a unit's Nice= included), so that on a busy
// machine the threads that fetch, match, commit and publish get the CPU first
// (about 10:1 when both want it) and the background work catches up when they
// are idle. Best effort: failures are ignored.
void run_this_thread_in_background();

}  // namespace wirewatch
