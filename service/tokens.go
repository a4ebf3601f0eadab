package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/db"
)

// tokenPrefix marks sluice tokens so secret scanners can recognise them.
const tokenPrefix = "slk_"

// maxTokenLength bounds what is hashed for an Authorization header.
const maxTokenLength = 256

// touchInterval is how stale last_used_at may get before authentication updates it.
const touchInterval = time.Minute

// Token is a newly created API token; Secret is shown once and never stored.
type Token struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Secret    string    `json:"token"`
	CreatedAt time.Time `json:"created_at"`
}

func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// CreateToken creates a token for the team and returns it once.
func (s *Service) CreateToken(ctx context.Context, teamID uuid.UUID, name string) (Token, error) {
	if len(name) > 200 {
		return Token{}, &InputError{Field: "name", Problem: "is longer than 200 characters"}
	}
	// Postgres cannot store a NUL, and control characters would corrupt logs.
	if err := checkText(textRule{field: "name", value: name, max: 200}); err != nil {
		return Token{}, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return Token{}, fmt.Errorf("create token: %w", err)
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	row, err := s.queries.APITokenCreate(ctx, db.APITokenCreateParams{TeamID: teamID, Name: name, TokenHash: hashToken(secret)})
	if err != nil {
		return Token{}, fmt.Errorf("create token: %w", dbError(err))
	}
	return Token{ID: row.ID, Name: row.Name, Secret: secret, CreatedAt: row.CreatedAt}, nil
}

// Authenticate resolves a bearer token to its team.
func (s *Service) Authenticate(ctx context.Context, token string) (uuid.UUID, error) {
	if token == "" || len(token) > maxTokenLength || !strings.HasPrefix(token, tokenPrefix) {
		return uuid.Nil, ErrUnauthenticated
	}
	row, err := s.queries.APITokenGetByHash(ctx, hashToken(token))
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, ErrUnauthenticated
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("authenticate: %w", dbError(err))
	}
	if row.LastUsedAt == nil || time.Since(*row.LastUsedAt) > touchInterval {
		if err := s.queries.APITokenTouch(ctx, row.ID); err != nil {
			return uuid.Nil, fmt.Errorf("authenticate: record use: %w", dbError(err))
		}
	}
	return row.TeamID, nil
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
