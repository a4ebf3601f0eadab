package bigquery

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/api/iterator"

	"github.com/sluice-dev/sluice/connectors"
)

// Validate exchanges the key for a token, dry-runs a trivial query (which
// needs permission to create query jobs) and lists the datasets the service
// account can see.
func (c *Connector) Validate(ctx context.Context) (connectors.ValidationReport, error) {
	start := time.Now()
	var report connectors.ValidationReport
	if _, err := c.tokens.Token(); err != nil {
		return report, c.stepError(err)
	}
	q := c.client.Query("SELECT 1")
	q.DryRun = true
	if _, err := q.Run(ctx); err != nil {
		return report, c.stepError(err)
	}
	datasets, err := c.datasets(ctx)
	if err != nil {
		step := c.stepError(err)
		if step.Step == connectors.StepQuery {
			step.Step = connectors.StepPermissions
		}
		return report, step
	}
	if len(datasets) == 0 {
		return report, &connectors.StepError{Step: connectors.StepPermissions,
			Message: fmt.Sprintf("the service account can see no dataset in project %q", c.project)}
	}
	report.Schemas = datasets
	report.Elapsed = time.Since(start)
	return report, nil
}

// datasets lists the ids of the project's datasets the caller can see.
func (c *Connector) datasets(ctx context.Context) ([]string, error) {
	var out []string
	it := c.client.Datasets(ctx)
	for {
		ds, err := it.Next()
		if err == iterator.Done {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list datasets of %s: %w", c.project, err)
		}
		out = append(out, ds.DatasetID)
	}
}
