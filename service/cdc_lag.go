package service

import (
	"context"
	"fmt"

	"github.com/sluice-dev/sluice/db"
)

// CDCSlotLags are the WAL bytes each cdc sync's replication slot held back
// on its source when a run last looked, for the operator's /metrics (every
// team's: the metrics endpoint is the operator's, not a team's).
func (s *Service) CDCSlotLags(ctx context.Context) ([]db.CDCSlotLagAllRow, error) {
	rows, err := s.queries.CDCSlotLagAll(ctx)
	if err != nil {
		return nil, fmt.Errorf("read cdc slot lags: %w", dbError(err))
	}
	return rows, nil
}
