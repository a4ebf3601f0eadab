package api

import "github.com/sluice-dev/sluice/service"

// SyncRunJSON is a sync run in the shape GET /v1/api/syncs/{id} answers,
// for `sluice sync --json`: the CLI and the API speak the same JSON, never
// the service's internal structs.
func SyncRunJSON(r service.SyncRun) any { return runViewOf(r) }
