package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
)

// RateLimitError means the team made too many requests of one kind.
type RateLimitError struct {
	What       string
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("too many %s; retry in %s", e.What, e.RetryAfter.Round(time.Second))
}

// Discovered is a discovery result and where it came from.
type Discovered[T any] struct {
	Value     T
	FetchedAt time.Time
	Cached    bool
}

// TableColumns are a table's columns.
type TableColumns struct {
	Table   connectors.TableRef `json:"table"`
	Columns []connectors.Column `json:"columns"`
}

// ListTables lists an integration's tables and views, from the shared cache
// when it is fresh and refresh is false.
func (s *Service) ListTables(ctx context.Context, teamID, id uuid.UUID, refresh bool) (Discovered[[]connectors.Table], error) {
	d, err := cachedDiscovery(ctx, s, teamID, id, "", refresh, func(d connectors.Discoverer) ([]connectors.Table, error) {
		return d.Tables(ctx)
	})
	if err == nil && !d.Cached {
		s.noticeTables(ctx, teamID, id, d.Value) // re-embeds if the table list changed
	}
	return d, err
}

// DescribeTable returns a table's columns. table is "schema.table" or a bare
// name that only one schema has.
func (s *Service) DescribeTable(ctx context.Context, teamID, id uuid.UUID, table string, refresh bool) (Discovered[TableColumns], error) {
	if table == "" || len(table) > 512 {
		return Discovered[TableColumns]{}, &InputError{Field: "table", Problem: "must be 1 to 512 characters"}
	}
	tables, err := s.ListTables(ctx, teamID, id, false)
	if err != nil {
		return Discovered[TableColumns]{}, err
	}
	ref, err := resolveTable(tables.Value, table)
	if err != nil {
		return Discovered[TableColumns]{}, err
	}
	return cachedDiscovery(ctx, s, teamID, id, ref.String(), refresh, func(d connectors.Discoverer) (TableColumns, error) {
		cols, err := d.Columns(ctx, ref)
		return TableColumns{Table: ref, Columns: cols}, err
	})
}

// resolveTable finds the table a name means: an exact "schema.table", or a
// bare name present in exactly one schema.
func resolveTable(tables []connectors.Table, name string) (connectors.TableRef, error) {
	var bare []connectors.TableRef
	for _, t := range tables {
		if t.Ref().String() == name {
			return t.Ref(), nil
		}
		if t.Name == name {
			bare = append(bare, t.Ref())
		}
	}
	switch len(bare) {
	case 1:
		return bare[0], nil
	case 0:
		return connectors.TableRef{}, fmt.Errorf("table %q: %w", name, ErrNotFound)
	}
	names := make([]string, len(bare))
	for i, r := range bare {
		names[i] = r.String()
	}
	return connectors.TableRef{}, &InputError{Field: "table", Problem: fmt.Sprintf("%q is ambiguous; name one of %s", name, strings.Join(names, ", "))}
}

// cachedDiscovery serves scope from discovery_cache while it is fresh, and
// otherwise asks the source (rate limited per team) and caches the answer.
func cachedDiscovery[T any](ctx context.Context, s *Service, teamID, id uuid.UUID, scope string, refresh bool, fetch func(connectors.Discoverer) (T, error)) (Discovered[T], error) {
	var out Discovered[T]
	if !refresh {
		row, err := s.queries.DiscoveryCacheGet(ctx, db.DiscoveryCacheGetParams{
			TeamID: teamID, IntegrationID: id, Scope: scope, FreshAfter: time.Now().Add(-s.opts.DiscoveryTTL),
		})
		switch err := dbError(err); {
		case err == nil:
			if json.Unmarshal(row.Payload, &out.Value) == nil {
				out.FetchedAt, out.Cached = row.FetchedAt, true
				return out, nil
			}
		case !errors.Is(err, ErrNotFound):
			return out, fmt.Errorf("read discovery cache: %w", err)
		}
	}
	if ok, wait := s.discoveryLimit.Allow(teamID.String()); !ok {
		return out, &RateLimitError{What: "discovery requests", RetryAfter: wait}
	}
	discoverer, _, release, err := source[connectors.Discoverer](ctx, s, teamID, id)
	if err != nil {
		return out, err
	}
	defer release()
	value, err := fetch(discoverer)
	if err != nil {
		return out, fmt.Errorf("discover %s: %w", id, err)
	}
	payload, err := json.Marshal(value)
	if err != nil {
		return out, fmt.Errorf("encode discovery result: %w", err)
	}
	if err := s.queries.DiscoveryCachePut(ctx, db.DiscoveryCachePutParams{TeamID: teamID, ID: id, Scope: scope, Payload: payload}); err != nil {
		return out, fmt.Errorf("write discovery cache: %w", dbError(err))
	}
	return Discovered[T]{Value: value, FetchedAt: time.Now(), Cached: false}, nil
}
