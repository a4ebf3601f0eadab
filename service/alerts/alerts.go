// Package alerts is the API's side of alerting: a team's channels and
// rules, a channel's delivery log and its test message. Sending is the
// workers' (package alerts at the top level).
package alerts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-dev/sluice/alerts"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/secrets"
	"github.com/sluice-dev/sluice/service"
)

// Service holds what the alert endpoints need.
type Service struct {
	pool    *pgxpool.Pool
	keyring *secrets.Keyring
	sender  *alerts.Sender
	links   alerts.LinkBase
}

// New returns the alert service; links build the test message's links.
func New(pool *pgxpool.Pool, keyring *secrets.Keyring, links alerts.LinkBase) *Service {
	return &Service{pool: pool, keyring: keyring, sender: alerts.NewSender(0), links: links}
}

// maxListed bounds a list of channels or rules.
const maxListed = 1000

// maxNameLength bounds channel and rule names.
const maxNameLength = 200

// Channel is a channel as the API shows it: never its URL's path or its secret.
type Channel struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Type      string    `json:"type"`
	URL       string    `json:"url"`
	Enabled   bool      `json:"enabled"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Secret is shown once, when sluice generated it.
	Secret string `json:"secret,omitempty"`
}

func channelOf(c db.AlertChannel) Channel {
	return Channel{ID: c.ID, Name: c.Name, Type: c.Kind, URL: c.UrlDisplay, Enabled: c.Enabled, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// ChannelRequest creates or changes a channel; nil fields keep their value
// (on create: type and url are required; enabled defaults to true; a
// webhook without a secret gets a generated one, shown once).
type ChannelRequest struct {
	Name    *string `json:"name"`
	Type    *string `json:"type"`
	URL     *string `json:"url"`
	Secret  *string `json:"secret"`
	Enabled *bool   `json:"enabled"`
}

// CreateChannel adds a channel to the team.
func (s *Service) CreateChannel(ctx context.Context, teamID uuid.UUID, req ChannelRequest) (Channel, error) {
	if req.Type == nil {
		return Channel{}, &service.InputError{Field: "type", Problem: "is required (webhook or slack)"}
	}
	if err := alerts.CheckKind(*req.Type); err != nil {
		return Channel{}, &service.InputError{Field: "type", Problem: err.Error()[len("type "):]}
	}
	name, err := checkName(req.Name, true)
	if err != nil {
		return Channel{}, err
	}
	cfg := alerts.ChannelConfig{}
	u, err := alerts.CheckURL(deref(req.URL))
	if err != nil {
		return Channel{}, &service.InputError{Field: "url", Problem: strings.TrimPrefix(err.Error(), "url ")}
	}
	cfg.URL = u.String()
	generated := ""
	if *req.Type == alerts.KindWebhook {
		if cfg.Secret, err = checkSecret(req.Secret); err != nil {
			return Channel{}, err
		}
		if cfg.Secret == "" {
			if cfg.Secret, err = newSecret(); err != nil {
				return Channel{}, err
			}
			generated = cfg.Secret
		}
	} else if req.Secret != nil && *req.Secret != "" {
		return Channel{}, &service.InputError{Field: "secret", Problem: "applies to webhook channels only; Slack checks nothing sluice could sign"}
	}
	id := uuid.New()
	sealed, err := alerts.SealConfig(s.keyring, id, cfg)
	if err != nil {
		return Channel{}, err
	}
	row, err := db.New(s.pool).AlertChannelCreate(ctx, db.AlertChannelCreateParams{
		ID: id, TeamID: teamID, Name: name, Kind: *req.Type, UrlDisplay: alerts.DisplayURL(u), SealedConfig: sealed,
		Enabled: req.Enabled == nil || *req.Enabled,
	})
	if err != nil {
		return Channel{}, storeError(err, "channel", name)
	}
	out := channelOf(row)
	out.Secret = generated
	return out, nil
}

// ListChannels lists the team's channels by name.
func (s *Service) ListChannels(ctx context.Context, teamID uuid.UUID) ([]Channel, error) {
	rows, err := db.New(s.pool).AlertChannelList(ctx, db.AlertChannelListParams{TeamID: teamID, MaxRows: maxListed})
	if err != nil {
		return nil, fmt.Errorf("list alert channels: %w", err)
	}
	out := make([]Channel, len(rows))
	for i, r := range rows {
		out[i] = channelOf(r)
	}
	return out, nil
}

// GetChannel returns one of the team's channels.
func (s *Service) GetChannel(ctx context.Context, teamID, id uuid.UUID) (Channel, error) {
	row, err := s.channel(ctx, teamID, id)
	return channelOf(row), err
}

func (s *Service) channel(ctx context.Context, teamID, id uuid.UUID) (db.AlertChannel, error) {
	row, err := db.New(s.pool).AlertChannelGet(ctx, db.AlertChannelGetParams{TeamID: teamID, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return row, service.ErrNotFound
	}
	if err != nil {
		return row, fmt.Errorf("read alert channel: %w", err)
	}
	return row, nil
}

// UpdateChannel changes a channel's name, URL, secret or enabled flag. A
// new URL keeps the secret unless one is given; the type cannot change.
func (s *Service) UpdateChannel(ctx context.Context, teamID, id uuid.UUID, req ChannelRequest) (Channel, error) {
	row, err := s.channel(ctx, teamID, id)
	if err != nil {
		return Channel{}, err
	}
	if req.Type != nil && *req.Type != row.Kind {
		return Channel{}, &service.InputError{Field: "type", Problem: "cannot change; create another channel"}
	}
	name := row.Name
	if req.Name != nil {
		if name, err = checkName(req.Name, true); err != nil {
			return Channel{}, err
		}
	}
	cfg, err := alerts.OpenConfig(s.keyring, row.ID, row.SealedConfig)
	if err != nil {
		return Channel{}, err
	}
	display := row.UrlDisplay
	if req.URL != nil {
		u, err := alerts.CheckURL(*req.URL)
		if err != nil {
			return Channel{}, &service.InputError{Field: "url", Problem: strings.TrimPrefix(err.Error(), "url ")}
		}
		cfg.URL, display = u.String(), alerts.DisplayURL(u)
	}
	if req.Secret != nil {
		if row.Kind != alerts.KindWebhook {
			return Channel{}, &service.InputError{Field: "secret", Problem: "applies to webhook channels only"}
		}
		if cfg.Secret, err = checkSecret(req.Secret); err != nil {
			return Channel{}, err
		}
		if cfg.Secret == "" {
			return Channel{}, &service.InputError{Field: "secret", Problem: "must not be empty: a webhook's bodies are always signed"}
		}
	}
	sealed, err := alerts.SealConfig(s.keyring, row.ID, cfg)
	if err != nil {
		return Channel{}, err
	}
	enabled := row.Enabled
	if req.Enabled != nil {
		enabled = *req.Enabled
	}
	updated, err := db.New(s.pool).AlertChannelUpdate(ctx, db.AlertChannelUpdateParams{
		TeamID: teamID, ID: id, Name: name, UrlDisplay: display, SealedConfig: sealed, Enabled: enabled,
	})
	if err != nil {
		return Channel{}, storeError(err, "channel", name)
	}
	return channelOf(updated), nil
}

// DeleteChannel removes a channel with its rules and delivery log.
func (s *Service) DeleteChannel(ctx context.Context, teamID, id uuid.UUID) error {
	n, err := db.New(s.pool).AlertChannelDelete(ctx, db.AlertChannelDeleteParams{TeamID: teamID, ID: id})
	if err != nil {
		return fmt.Errorf("delete alert channel: %w", err)
	}
	if n == 0 {
		return service.ErrNotFound
	}
	return nil
}

// TestResult is how a channel's test message went.
type TestResult struct {
	Delivered  bool   `json:"delivered"`
	StatusCode int    `json:"status_code,omitempty"`
	Error      string `json:"error,omitempty"`
	DurationMS int64  `json:"duration_ms"`
}

// TestChannel sends a test message now and says how it went.
func (s *Service) TestChannel(ctx context.Context, teamID, id uuid.UUID) (TestResult, error) {
	row, err := s.channel(ctx, teamID, id)
	if err != nil {
		return TestResult{}, err
	}
	start := time.Now()
	res, err := alerts.Test(ctx, s.pool, s.sender, s.keyring, s.links, row)
	if err != nil {
		return TestResult{}, err
	}
	out := TestResult{Delivered: res.Delivered(), StatusCode: res.StatusCode, DurationMS: time.Since(start).Milliseconds()}
	if res.Err != nil {
		out.Error = res.Err.Error()
	}
	return out, nil
}

func checkName(name *string, required bool) (string, error) {
	if name == nil || strings.TrimSpace(*name) == "" {
		if required {
			return "", &service.InputError{Field: "name", Problem: "is required"}
		}
		return "", nil
	}
	if len(*name) > maxNameLength {
		return "", &service.InputError{Field: "name", Problem: fmt.Sprintf("is longer than %d bytes", maxNameLength)}
	}
	if err := checkStorable("name", *name); err != nil {
		return "", err
	}
	return strings.TrimSpace(*name), nil
}

// checkStorable refuses text Postgres cannot store or that was not text:
// invalid UTF-8 and NUL bytes.
func checkStorable(field, s string) error {
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || strings.ContainsRune(s, utf8.RuneError) {
		return &service.InputError{Field: field, Problem: "must be UTF-8 text without NUL bytes"}
	}
	return nil
}

// checkSecret bounds a given signing secret; "" means none was given.
func checkSecret(secret *string) (string, error) {
	if secret == nil {
		return "", nil
	}
	switch n := len(*secret); {
	case n == 0:
		return "", nil
	case n < 16:
		return "", &service.InputError{Field: "secret", Problem: "must be at least 16 characters"}
	case n > 256:
		return "", &service.InputError{Field: "secret", Problem: "must be at most 256 characters"}
	}
	if err := checkStorable("secret", *secret); err != nil {
		return "", err
	}
	return *secret, nil
}

func newSecret() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generate a signing secret: %w", err)
	}
	return "whsec_" + base64.RawURLEncoding.EncodeToString(raw), nil
}

// storeError turns a unique violation into a conflict naming the name.
func storeError(err error, what, name string) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return &service.ConflictError{What: fmt.Sprintf("an alert %s named %q already exists", what, name)}
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return service.ErrNotFound
	}
	return fmt.Errorf("store alert %s: %w", what, err)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
