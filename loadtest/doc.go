// Package loadtest is sluice's load harness (`make load`). It starts a real
// `sluice dev` process on a fresh database, a temporary data dir and free
// ports, sets up fixtures (a Postgres integration, a lake table written by
// one sync, task runs with lineage), and then drives a mixed workload through
// four phases: a concurrency ramp that finds saturation, sustained load at a
// fraction of it, overload well above it, and recovery. It prints a table per
// phase and a PASS or FAIL per goal.
//
// Every goal is a ratio or a count measured in the same run, since the
// machine it runs on is shared and absolute figures are noisy.
package loadtest
