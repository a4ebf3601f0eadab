package worker

import (
	"context"

	"github.com/sluice-dev/sluice/activities"
	"github.com/sluice-dev/sluice/observability"
	"github.com/sluice-dev/sluice/service"
)

// ServiceSyncReporter reports sync runs through the service layer's
// pipeline observability API.
type ServiceSyncReporter struct{ Service *service.Service }

var _ activities.SyncReporter = ServiceSyncReporter{}

// ReportSyncStarted records the run as a running task run of the
// sluice-sync app.
func (r ServiceSyncReporter) ReportSyncStarted(ctx context.Context, start activities.SyncStart) error {
	_, err := r.Service.ReportSyncStarted(ctx, start.TeamID, syncRunReport(start))
	return err
}

// ReportSyncFinished records the run's copied tables and its end.
func (r ServiceSyncReporter) ReportSyncFinished(ctx context.Context, rep activities.SyncReport) error {
	tables := make([]service.SyncTableReport, len(rep.Tables))
	for i, t := range rep.Tables {
		fields := make([]observability.Field, len(t.Columns))
		for j, c := range t.Columns {
			fields[j] = observability.Field{Name: c.Name, Type: c.Type.String(), Position: j}
		}
		tables[i] = service.SyncTableReport{SourceSchema: t.SourceSchema, Table: t.Table, DestSchema: t.DestSchema, Columns: fields, RowCount: t.Rows}
	}
	return r.Service.ReportSyncFinished(ctx, rep.TeamID, syncRunReport(rep.SyncStart), tables, rep.Failure)
}

func syncRunReport(start activities.SyncStart) service.SyncRunReport {
	return service.SyncRunReport{RunID: start.RunID, IntegrationName: start.IntegrationName, IntegrationID: start.IntegrationID, StartedAt: start.StartedAt}
}
