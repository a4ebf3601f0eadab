package alerts

import (
	"net/url"
	"strings"
)

// LinkBase builds the links a notification carries.
type LinkBase struct {
	// Public is where people reach sluice's API and console, e.g.
	// https://sluice.example.com (SLUICE_PUBLIC_URL).
	Public string
	// TemporalUI is the Temporal UI's address; empty leaves run links out.
	TemporalUI string
	// Namespace is the Temporal namespace of sluice's workflows.
	Namespace string
}

// console links to a console page (the console routes in the fragment).
func (b LinkBase) console(page string) string {
	if b.Public == "" {
		return ""
	}
	return strings.TrimRight(b.Public, "/") + "/#/" + page
}

// api links to an API resource.
func (b LinkBase) api(path string) string {
	if b.Public == "" {
		return ""
	}
	return strings.TrimRight(b.Public, "/") + path
}

// temporal links to a workflow's runs in the Temporal UI.
func (b LinkBase) temporal(workflowID string) string {
	if b.TemporalUI == "" || workflowID == "" {
		return ""
	}
	ns := b.Namespace
	if ns == "" {
		ns = "default"
	}
	return strings.TrimRight(b.TemporalUI, "/") + "/namespaces/" + url.PathEscape(ns) + "/workflows/" + url.PathEscape(workflowID)
}

// SyncRun links to a sync run.
func (b LinkBase) SyncRun(integrationID, runID, workflowID string) Links {
	return Links{
		Console:  b.console("runs/" + url.PathEscape(runID)),
		API:      b.api("/v1/api/integrations/" + url.PathEscape(integrationID) + "/sync/runs/" + url.PathEscape(runID)),
		Temporal: b.temporal(workflowID),
	}
}

// Integration links to an integration (a stale sync has no run to show).
func (b LinkBase) Integration(integrationID string) Links {
	return Links{
		Console: b.console("integrations/" + url.PathEscape(integrationID)),
		API:     b.api("/v1/api/integrations/" + url.PathEscape(integrationID) + "/sync/runs"),
	}
}

// TaskRun links to a task's runs.
func (b LinkBase) TaskRun(taskID, workflowID string) Links {
	return Links{
		Console:  b.console("tasks/" + url.PathEscape(taskID)),
		API:      b.api("/api/tasks/" + url.PathEscape(taskID)),
		Temporal: b.temporal(workflowID),
	}
}

// Metric links to a metric's series.
func (b LinkBase) Metric(asset, metric string) Links {
	q := url.Values{"asset": {asset}, "metric": {metric}}.Encode()
	return Links{
		Console: b.console("metrics?" + q),
		API:     b.api("/api/metrics?" + url.Values{"asset_name": {asset}, "metric_type": {metric}}.Encode()),
	}
}

// Dataset links to a dataset's schema history.
func (b LinkBase) Dataset(name string) Links {
	return Links{
		Console: b.console("datasets/" + url.PathEscape(name)),
		API:     b.api("/api/datasets/" + url.PathEscape(name)),
	}
}
