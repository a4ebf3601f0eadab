package alerts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/alerts"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/service"
)

// Rule is an alert rule: which event, filtered how, goes to which channel.
type Rule struct {
	ID            uuid.UUID  `json:"id"`
	Name          string     `json:"name"`
	Event         string     `json:"event"`
	ChannelID     uuid.UUID  `json:"channel_id"`
	IntegrationID *uuid.UUID `json:"integration_id"`
	App           *string    `json:"app"`
	TaskID        *string    `json:"task_id"`
	Asset         *string    `json:"asset"`
	Metric        *string    `json:"metric"`
	StaleHours    *int32     `json:"stale_hours"`
	Enabled       bool       `json:"enabled"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

func ruleOf(r db.AlertRule) Rule {
	out := Rule{ID: r.ID, Name: r.Name, Event: r.Event, ChannelID: r.ChannelID, App: r.App, TaskID: r.TaskID,
		Asset: r.Asset, Metric: r.Metric, StaleHours: r.StaleHours, Enabled: r.Enabled, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.IntegrationID.Valid {
		id := r.IntegrationID.UUID
		out.IntegrationID = &id
	}
	return out
}

// RuleRequest creates or replaces a rule (PATCH sends the fields to change;
// a filter set to "" or null is cleared).
type RuleRequest struct {
	Name          *string    `json:"name"`
	Event         *string    `json:"event"`
	ChannelID     *uuid.UUID `json:"channel_id"`
	IntegrationID *uuid.UUID `json:"integration_id"`
	App           *string    `json:"app"`
	TaskID        *string    `json:"task_id"`
	Asset         *string    `json:"asset"`
	Metric        *string    `json:"metric"`
	StaleHours    *int32     `json:"stale_hours"`
	Enabled       *bool      `json:"enabled"`
}

// filterFields are the filters each event can be narrowed by; a filter
// an event does not carry would silently never match, so it is refused.
var filterFields = map[string][]string{
	alerts.SyncRunFailed:             {"integration_id"},
	alerts.SyncRunPartiallySucceeded: {"integration_id"},
	alerts.SyncStale:                 {"integration_id"},
	alerts.TaskRunFailed:             {"app", "task_id"},
	alerts.TaskRunTimedOut:           {"app", "task_id"},
	alerts.MetricAnomaly:             {"app", "task_id", "asset", "metric"},
	alerts.DatasetSchemaChanged:      {"app", "task_id", "asset"},
	alerts.SourceSchemaChanged:       {"integration_id", "asset"},
}

// maxStaleHours bounds a sync.stale rule (a year).
const maxStaleHours = 24 * 366

// CreateRule adds a rule.
func (s *Service) CreateRule(ctx context.Context, teamID uuid.UUID, req RuleRequest) (Rule, error) {
	p, err := checkRule(req)
	if err != nil {
		return Rule{}, err
	}
	row, err := db.New(s.pool).AlertRuleCreate(ctx, db.AlertRuleCreateParams{
		TeamID: teamID, Name: p.name, Event: p.event, ChannelID: p.channel, IntegrationID: p.integration,
		App: p.app, TaskID: p.task, Asset: p.asset, Metric: p.metric, StaleHours: p.stale, Enabled: p.enabled,
	})
	return storedRule(row, err, p.name)
}

// storedRule is a written rule, or why it was not written: a channel_id
// that matched no channel of the team writes no row.
func storedRule(row db.AlertRule, err error, name string) (Rule, error) {
	if errors.Is(err, pgx.ErrNoRows) {
		return Rule{}, &service.InputError{Field: "channel_id", Problem: "names no channel of this team"}
	}
	if err != nil {
		return Rule{}, storeError(err, "rule", name)
	}
	return ruleOf(row), nil
}

// ListRules lists the team's rules by name.
func (s *Service) ListRules(ctx context.Context, teamID uuid.UUID) ([]Rule, error) {
	rows, err := db.New(s.pool).AlertRuleList(ctx, db.AlertRuleListParams{TeamID: teamID, MaxRows: maxListed})
	if err != nil {
		return nil, fmt.Errorf("list alert rules: %w", err)
	}
	out := make([]Rule, len(rows))
	for i, r := range rows {
		out[i] = ruleOf(r)
	}
	return out, nil
}

// GetRule returns one of the team's rules.
func (s *Service) GetRule(ctx context.Context, teamID, id uuid.UUID) (Rule, error) {
	row, err := db.New(s.pool).AlertRuleGet(ctx, db.AlertRuleGetParams{TeamID: teamID, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return Rule{}, service.ErrNotFound
	}
	if err != nil {
		return Rule{}, fmt.Errorf("read alert rule: %w", err)
	}
	return ruleOf(row), nil
}

// UpdateRule changes the fields req sets and checks the result as a whole.
func (s *Service) UpdateRule(ctx context.Context, teamID, id uuid.UUID, req RuleRequest) (Rule, error) {
	cur, err := s.GetRule(ctx, teamID, id)
	if err != nil {
		return Rule{}, err
	}
	merged := RuleRequest{Name: &cur.Name, Event: &cur.Event, ChannelID: &cur.ChannelID, IntegrationID: cur.IntegrationID,
		App: cur.App, TaskID: cur.TaskID, Asset: cur.Asset, Metric: cur.Metric, StaleHours: cur.StaleHours, Enabled: &cur.Enabled}
	overlay(&merged, req)
	p, err := checkRule(merged)
	if err != nil {
		return Rule{}, err
	}
	row, err := db.New(s.pool).AlertRuleUpdate(ctx, db.AlertRuleUpdateParams{
		TeamID: teamID, ID: id, Name: p.name, Event: p.event, ChannelID: p.channel, IntegrationID: p.integration,
		App: p.app, TaskID: p.task, Asset: p.asset, Metric: p.metric, StaleHours: p.stale, Enabled: p.enabled,
	})
	return storedRule(row, err, p.name)
}

// overlay copies the fields req sets onto dst.
func overlay(dst *RuleRequest, req RuleRequest) {
	if req.Name != nil {
		dst.Name = req.Name
	}
	if req.Event != nil {
		dst.Event = req.Event
	}
	if req.ChannelID != nil {
		dst.ChannelID = req.ChannelID
	}
	if req.IntegrationID != nil {
		dst.IntegrationID = req.IntegrationID
	}
	for _, f := range []struct{ dst, src **string }{{&dst.App, &req.App}, {&dst.TaskID, &req.TaskID}, {&dst.Asset, &req.Asset}, {&dst.Metric, &req.Metric}} {
		if *f.src != nil {
			*f.dst = *f.src
		}
	}
	if req.StaleHours != nil {
		dst.StaleHours = req.StaleHours
	}
	if req.Enabled != nil {
		dst.Enabled = req.Enabled
	}
}

// DeleteRule removes a rule; its deliveries stay in the channel's log.
func (s *Service) DeleteRule(ctx context.Context, teamID, id uuid.UUID) error {
	n, err := db.New(s.pool).AlertRuleDelete(ctx, db.AlertRuleDeleteParams{TeamID: teamID, ID: id})
	if err != nil {
		return fmt.Errorf("delete alert rule: %w", err)
	}
	if n == 0 {
		return service.ErrNotFound
	}
	return nil
}

// ruleParams is a checked rule.
type ruleParams struct {
	name, event              string
	channel                  uuid.UUID
	integration              uuid.NullUUID
	app, task, asset, metric *string
	stale                    *int32
	enabled                  bool
}

func checkRule(req RuleRequest) (ruleParams, error) {
	var p ruleParams
	var err error
	if p.name, err = checkName(req.Name, true); err != nil {
		return p, err
	}
	if req.Event == nil {
		return p, &service.InputError{Field: "event", Problem: "is required, one of " + strings.Join(alerts.Events, ", ")}
	}
	if err := alerts.CheckEvent(*req.Event); err != nil {
		return p, &service.InputError{Field: "event", Problem: strings.TrimPrefix(err.Error(), "event ")}
	}
	p.event = *req.Event
	if req.ChannelID == nil {
		return p, &service.InputError{Field: "channel_id", Problem: "is required"}
	}
	p.channel = *req.ChannelID
	allowed := filterFields[p.event]
	set := map[string]bool{}
	if req.IntegrationID != nil && *req.IntegrationID != uuid.Nil {
		p.integration = uuid.NullUUID{UUID: *req.IntegrationID, Valid: true}
		set["integration_id"] = true
	}
	for _, f := range []struct {
		name string
		src  *string
		dst  **string
	}{{"app", req.App, &p.app}, {"task_id", req.TaskID, &p.task}, {"asset", req.Asset, &p.asset}, {"metric", req.Metric, &p.metric}} {
		if f.src == nil || strings.TrimSpace(*f.src) == "" {
			continue
		}
		if len(*f.src) > 1024 {
			return p, &service.InputError{Field: f.name, Problem: "is longer than 1024 bytes"}
		}
		if err := checkStorable(f.name, *f.src); err != nil {
			return p, err
		}
		v := *f.src
		*f.dst = &v
		set[f.name] = true
	}
	for field := range set {
		if !contains(allowed, field) {
			return p, &service.InputError{Field: field, Problem: fmt.Sprintf("does not apply to %s events (they can be filtered by %s)", p.event, strings.Join(allowed, ", "))}
		}
	}
	switch {
	case p.event == alerts.SyncStale && (req.StaleHours == nil || *req.StaleHours < 1 || *req.StaleHours > maxStaleHours):
		return p, &service.InputError{Field: "stale_hours", Problem: fmt.Sprintf("is required for %s rules: whole hours from 1 to %d", alerts.SyncStale, maxStaleHours)}
	case p.event != alerts.SyncStale && req.StaleHours != nil:
		return p, &service.InputError{Field: "stale_hours", Problem: "applies to " + alerts.SyncStale + " rules only"}
	}
	p.stale = req.StaleHours
	p.enabled = req.Enabled == nil || *req.Enabled
	return p, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
