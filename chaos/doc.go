// Package chaos is sluice's fault-injection harness. Its tests run real
// `sluice api` and `sluice worker` processes (and `sluice temporal` where a
// scenario stops Temporal), inject one fault at a time — a killed worker, a
// source that drops or stalls its connections, a Temporal or Postgres
// restart, a full disk — and check that every run still ends as it should
// with the lake equal to the source: no row lost, none duplicated.
//
// The tests run only with SLUICE_CHAOS=1 (`make chaos`, or `make
// chaos-short` for CI's short form); a plain `go test ./...` skips them.
// CHAOS_RUNS sets how many times the repeated scenarios run. Each scenario
// prints one line, "scenario: runs N, passed P, rows lost L, rows
// duplicated D", and the test binary ends with a table of them all.
package chaos
