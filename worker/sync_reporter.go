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

// ReportSync records the run as a task run of the sluice-sync app.
func (r ServiceSyncReporter) ReportSync(ctx context.Context, rep activities.SyncReport) error {
	run := service.SyncRunReport{RunID: rep.RunID, IntegrationName: rep.IntegrationName, StartedAt: rep.StartedAt}
	tables := make([]service.SyncTableReport, len(rep.Tables))
	for i, t := range rep.Tables {
		fields := make([]observability.Field, len(t.Columns))
		for j, c := range t.Columns {
			fields[j] = observability.Field{Name: c.Name, Type: c.Type.String(), Position: j}
		}
		tables[i] = service.SyncTableReport{SourceSchema: t.SourceSchema, Table: t.Table, DestSchema: t.DestSchema, Columns: fields, RowCount: t.Rows}
	}
	return r.Service.ReportSyncRun(ctx, rep.TeamID, run, tables, rep.Failure)
}
