package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/service/tokens"
)

// Token is a newly created API token; its secret is shown once and never stored.
type Token = tokens.Created

// TokenInfo describes a token in a listing: never its secret or hash.
type TokenInfo = tokens.Token

// TokenRequest is a token asked for through the API. ExpiresIn is a number of
// seconds or a string ("3600", "720h", "90d"); ExpiresAt an RFC 3339 time.
// With neither, the token expires after tokens.DefaultAPIExpiry.
type TokenRequest struct {
	Name      string
	ExpiresIn any
	ExpiresAt *time.Time
}

func (s *Service) tokens() *tokens.Store { return tokens.New(s.queries) }

// CreateToken creates a token that never expires and returns it once; the
// CLI and `sluice dev` make these (`sluice token create --expires-in` sets one).
func (s *Service) CreateToken(ctx context.Context, teamID uuid.UUID, name string) (Token, error) {
	return s.CreateTokenUntil(ctx, teamID, name, nil)
}

// CreateTokenUntil creates a token that stops working at expiresAt (nil: never).
func (s *Service) CreateTokenUntil(ctx context.Context, teamID uuid.UUID, name string, expiresAt *time.Time) (Token, error) {
	if len(name) > 200 {
		return Token{}, &InputError{Field: "name", Problem: "is longer than 200 characters"}
	}
	// Postgres cannot store a NUL, and control characters would corrupt logs.
	if err := checkText(textRule{field: "name", value: name, max: 200}); err != nil {
		return Token{}, err
	}
	tok, err := s.tokens().Create(ctx, teamID, name, expiresAt)
	if err != nil {
		return Token{}, dbError(err)
	}
	return tok, nil
}

// CreateAPIToken creates a token asked for through the API: it always expires,
// by default after tokens.DefaultAPIExpiry.
func (s *Service) CreateAPIToken(ctx context.Context, teamID uuid.UUID, req TokenRequest) (Token, error) {
	expiresAt, err := apiTokenExpiry(req, time.Now())
	if err != nil {
		return Token{}, err
	}
	return s.CreateTokenUntil(ctx, teamID, req.Name, &expiresAt)
}

// apiTokenExpiry turns the request's expires_in or expires_at into a time.
func apiTokenExpiry(req TokenRequest, now time.Time) (time.Time, error) {
	if req.ExpiresIn != nil && req.ExpiresAt != nil {
		return time.Time{}, &InputError{Field: "expires_in", Problem: "and expires_at cannot both be set"}
	}
	if req.ExpiresAt != nil {
		if err := tokens.CheckSpan(req.ExpiresAt.Sub(now)); err != nil {
			return time.Time{}, &InputError{Field: "expires_at", Problem: "must be in the future and " + err.Error() + " from now"}
		}
		return *req.ExpiresAt, nil
	}
	span := tokens.DefaultAPIExpiry
	switch v := req.ExpiresIn.(type) {
	case nil:
	case float64:
		if v != float64(int64(v)) || v <= 0 || v > float64(tokens.MaxExpiry/time.Second) {
			return time.Time{}, &InputError{Field: "expires_in", Problem: fmt.Sprintf("must be a whole number of seconds from 1 to %d", int64(tokens.MaxExpiry/time.Second))}
		}
		span = time.Duration(v) * time.Second
	case string:
		d, err := tokens.ParseDuration(v)
		if err != nil {
			return time.Time{}, &InputError{Field: "expires_in", Problem: err.Error()}
		}
		span = d
	default:
		return time.Time{}, &InputError{Field: "expires_in", Problem: "must be a number of seconds or a string such as \"90d\" or \"720h\""}
	}
	return now.Add(span), nil
}

// Authenticate resolves a bearer token to its team. Nothing is cached, so a
// revoked or expired token is refused by every API process at once.
func (s *Service) Authenticate(ctx context.Context, token string) (uuid.UUID, error) {
	team, err := s.tokens().Authenticate(ctx, token)
	if errors.Is(err, tokens.ErrUnauthenticated) {
		return uuid.Nil, ErrUnauthenticated
	}
	if err != nil {
		return uuid.Nil, dbError(err)
	}
	return team, nil
}

// ListTokens lists the team's tokens without their secrets.
func (s *Service) ListTokens(ctx context.Context, teamID uuid.UUID) ([]TokenInfo, error) {
	list, err := s.tokens().List(ctx, teamID)
	return list, dbError(err)
}

// RevokeToken deletes one of the team's tokens; another team's id is not found.
func (s *Service) RevokeToken(ctx context.Context, teamID, id uuid.UUID) error {
	err := s.tokens().Revoke(ctx, teamID, id)
	if errors.Is(err, tokens.ErrNotFound) {
		return ErrNotFound
	}
	return dbError(err)
}

// TeamID returns the id of an existing team by name, for commands that act on
// a team without creating it.
func (s *Service) TeamID(ctx context.Context, name string) (uuid.UUID, error) {
	team, err := s.queries.TeamGetByName(ctx, name)
	if err != nil {
		return uuid.Nil, fmt.Errorf("team %s: %w", name, dbError(err))
	}
	return team.ID, nil
}

// EnsureTeam creates the team if it is missing and returns its id.
func (s *Service) EnsureTeam(ctx context.Context, name string) (uuid.UUID, error) {
	if !validTeamName(name) {
		return uuid.Nil, &InputError{Field: "team", Problem: "must be 1-63 lower-case letters, digits, '-' or '_', starting with a letter or digit"}
	}
	team, err := s.queries.TeamUpsert(ctx, name)
	if err != nil {
		return uuid.Nil, fmt.Errorf("ensure team %s: %w", name, dbError(err))
	}
	// Every team has a lake, listed among its integrations as type ducklake.
	if _, err := s.TeamLake(ctx, team.ID); err != nil {
		return uuid.Nil, err
	}
	return team.ID, nil
}

func validTeamName(name string) bool {
	if name == "" || len(name) > 63 {
		return false
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case (r == '-' || r == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}
