// Package tokens is the lifecycle of API tokens: creating one (shown once,
// stored as its SHA-256), authenticating a presented one, listing and
// revoking a team's tokens, and expiry. Authentication reads the database on
// every request and caches nothing, so a revoked or expired token is refused
// at once by every API process sharing the database.
package tokens

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

// Prefix marks sluice tokens so secret scanners can recognise them.
const Prefix = "slk_"

// shownPrefix is how many characters of a token a listing shows: the marker
// and four random characters, enough to tell tokens apart, far too few to guess one.
const shownPrefix = len(Prefix) + 4

// maxTokenLength bounds what is hashed for an Authorization header.
const maxTokenLength = 256

// touchInterval is how stale last_used_at may get before authentication
// updates it: at most one write per token per interval, not one per request.
const touchInterval = time.Minute

// ErrUnauthenticated means the presented token is missing, unknown, revoked or expired.
var ErrUnauthenticated = errors.New("missing, unknown, revoked or expired API token")

// ErrNotFound means the token does not exist or belongs to another team.
var ErrNotFound = errors.New("token not found")

// Token describes a token without its secret or hash.
type Token struct {
	ID         uuid.UUID  `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
}

// Created is a new token with its secret, which is shown once and never stored.
type Created struct {
	Token
	Secret string `json:"token"`
}

// Store holds what the token lifecycle needs: sluice's queries.
type Store struct {
	q *db.Queries
}

// New returns a store over sluice's queries.
func New(q *db.Queries) *Store { return &Store{q: q} }

func hash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// Create makes a token for the team; expiresAt nil means it never expires.
// The caller has checked name.
func (s *Store) Create(ctx context.Context, teamID uuid.UUID, name string, expiresAt *time.Time) (Created, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return Created{}, fmt.Errorf("create token: %w", err)
	}
	secret := Prefix + base64.RawURLEncoding.EncodeToString(raw)
	row, err := s.q.APITokenCreate(ctx, db.APITokenCreateParams{
		TeamID: teamID, Name: name, TokenHash: hash(secret), Prefix: secret[:shownPrefix], ExpiresAt: expiresAt,
	})
	if err != nil {
		return Created{}, fmt.Errorf("create token: %w", err)
	}
	return Created{Secret: secret, Token: Token{ID: row.ID, Name: row.Name, Prefix: row.Prefix,
		CreatedAt: row.CreatedAt, ExpiresAt: row.ExpiresAt}}, nil
}

// Authenticate resolves a bearer token to its team. It records the use at
// most once per touchInterval per token.
func (s *Store) Authenticate(ctx context.Context, token string) (uuid.UUID, error) {
	if token == "" || len(token) > maxTokenLength || !strings.HasPrefix(token, Prefix) {
		return uuid.Nil, ErrUnauthenticated
	}
	row, err := s.q.APITokenGetByHash(ctx, hash(token))
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, ErrUnauthenticated
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("authenticate: %w", err)
	}
	if row.LastUsedAt == nil || time.Since(*row.LastUsedAt) > touchInterval {
		if err := s.q.APITokenTouch(ctx, row.ID); err != nil {
			return uuid.Nil, fmt.Errorf("authenticate: record use: %w", err)
		}
	}
	return row.TeamID, nil
}

// List returns the team's tokens, newest first, without secrets or hashes.
func (s *Store) List(ctx context.Context, teamID uuid.UUID) ([]Token, error) {
	rows, err := s.q.APITokenList(ctx, teamID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	out := make([]Token, len(rows))
	for i, r := range rows {
		out[i] = Token{ID: r.ID, Name: r.Name, Prefix: r.Prefix, CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt, ExpiresAt: r.ExpiresAt}
	}
	return out, nil
}

// Revoke deletes one of the team's tokens; the next request with it is 401.
func (s *Store) Revoke(ctx context.Context, teamID, id uuid.UUID) error {
	n, err := s.q.APITokenDelete(ctx, db.APITokenDeleteParams{TeamID: teamID, ID: id})
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", id, err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
