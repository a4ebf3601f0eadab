package alerts

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/db"
)

// Delivery is one entry of a channel's delivery log.
type Delivery struct {
	ID         int64      `json:"id"`
	EventID    int64      `json:"event_id"`
	Event      string     `json:"event"`
	Summary    string     `json:"summary"`
	OccurredAt time.Time  `json:"occurred_at"`
	RuleID     *uuid.UUID `json:"rule_id"`
	// Status is pending (queued or waiting to retry), delivered or failed.
	Status   string `json:"status"`
	Attempts int32  `json:"attempts"`
	// PossibleDuplicates counts sends whose result was never recorded (a
	// worker died mid-send): the receiver may hold that many extra copies.
	PossibleDuplicates int32      `json:"possible_duplicates"`
	StatusCode         *int32     `json:"status_code"`
	Error              *string    `json:"error"`
	CreatedAt          time.Time  `json:"created_at"`
	DeliveredAt        *time.Time `json:"delivered_at"`
	NextAttemptAt      *time.Time `json:"next_attempt_at,omitempty"`
}

// MaxDeliveryPage bounds one page of a delivery log.
const MaxDeliveryPage = 500

// Deliveries lists a channel's newest deliveries, before the given id when
// it is not zero (the previous page's last id).
func (s *Service) Deliveries(ctx context.Context, teamID, channelID uuid.UUID, limit int, before int64) ([]Delivery, error) {
	if _, err := s.channel(ctx, teamID, channelID); err != nil {
		return nil, err
	}
	params := db.AlertDeliveryListParams{TeamID: teamID, ChannelID: channelID, MaxRows: int32(limit)}
	if before > 0 {
		params.Before = &before
	}
	rows, err := db.New(s.pool).AlertDeliveryList(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("list alert deliveries: %w", err)
	}
	out := make([]Delivery, len(rows))
	for i, r := range rows {
		d := Delivery{ID: r.ID, EventID: r.EventID, Event: r.Event, Summary: r.Summary, OccurredAt: r.OccurredAt,
			Status: r.Status, Attempts: r.Attempts, PossibleDuplicates: r.ResentUnknown, StatusCode: r.LastStatusCode,
			Error: r.LastError, CreatedAt: r.CreatedAt, DeliveredAt: r.DeliveredAt}
		if r.RuleID.Valid {
			id := r.RuleID.UUID
			d.RuleID = &id
		}
		if r.Status == "pending" {
			next := r.NextAttemptAt
			d.NextAttemptAt = &next
		}
		out[i] = d
	}
	return out, nil
}
