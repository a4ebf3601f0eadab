package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/activities"
	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
)

// SecretMarker stands in for a secret value in every response. A PUT that
// sends it back keeps the stored secret.
const SecretMarker = "********"

// maxNameLength bounds integration names.
const maxNameLength = 200

// Integration is an integration (or connection) as the API shows it: never
// with a secret value.
type Integration struct {
	ID          uuid.UUID
	Type        string
	Name        string
	Status      string
	Config      map[string]any
	SecretsSet  []string
	ValidatedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// Embedding is where the schema embeddings stand (nil: never requested).
	Embedding *EmbeddingState
	// ValidationWarnings come from the validation a create or update just
	// ran (superuser credentials accepted by configuration, say); they are
	// not stored.
	ValidationWarnings []string
}

// MaskedCredentials returns the configuration with every stored secret shown
// as SecretMarker.
func (i Integration) MaskedCredentials() map[string]any {
	out := make(map[string]any, len(i.Config)+len(i.SecretsSet))
	for k, v := range i.Config {
		out[k] = v
	}
	for _, k := range i.SecretsSet {
		out[k] = SecretMarker
	}
	return out
}

// IntegrationInput creates an integration.
type IntegrationInput struct {
	Type        string
	Name        string
	Credentials map[string]any
}

// IntegrationPatch updates an integration. Nil fields are kept. In
// Credentials, a key set to nil removes the field and SecretMarker keeps the
// stored secret.
type IntegrationPatch struct {
	Type        string
	Name        *string
	Credentials map[string]any
}

// CreateIntegration validates the credentials through the ValidateIntegration
// workflow and saves the integration only if they work.
func (s *Service) CreateIntegration(ctx context.Context, teamID uuid.UUID, in IntegrationInput) (Integration, error) {
	spec, err := creatableSpec(in.Type)
	if err != nil {
		return Integration{}, err
	}
	name, err := integrationName(in.Name, spec)
	if err != nil {
		return Integration{}, err
	}
	if in.Credentials == nil {
		return Integration{}, &InputError{Field: "credentials", Problem: "is required"}
	}
	for _, k := range spec.SecretFields() {
		if in.Credentials[k] == SecretMarker {
			return Integration{}, &InputError{Field: "credentials." + k, Problem: "is the secret marker; send the real secret"}
		}
	}
	config, secretValues, err := spec.Normalize(in.Credentials)
	if err != nil {
		return Integration{}, fieldError("credentials", err)
	}
	id := uuid.New()
	sealed, err := s.sealIntegration(id, spec, config, secretValues)
	if err != nil {
		return Integration{}, err
	}
	validation, err := s.validate(ctx, teamID, name, sealed)
	if err != nil {
		return Integration{}, err
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return Integration{}, fmt.Errorf("create integration: %w", err)
	}
	now := time.Now()
	row, err := s.queries.IntegrationCreate(ctx, db.IntegrationCreateParams{
		ID: id, TeamID: teamID, Type: spec.Slug, Name: name, Config: configJSON,
		SealedSecrets: sealed.SealedSecrets, SecretFields: sortedKeys(secretValues),
		Status: "active", ValidatedAt: &now,
	})
	if err != nil {
		return Integration{}, fmt.Errorf("create integration: %w", dbError(err))
	}
	created, err := integrationFromRow(row)
	if err == nil {
		s.startEmbedding(ctx, teamID, &created, "created")
	}
	created.ValidationWarnings = validation.Warnings
	return created, err
}

// ListIntegrations lists the team's live integrations, optionally of one type.
func (s *Service) ListIntegrations(ctx context.Context, teamID uuid.UUID, typ string) ([]Integration, error) {
	var typeFilter *string
	if typ != "" {
		typeFilter = &typ
	}
	rows, err := s.queries.IntegrationList(ctx, db.IntegrationListParams{TeamID: teamID, Type: typeFilter})
	if err != nil {
		return nil, fmt.Errorf("list integrations: %w", dbError(err))
	}
	out := make([]Integration, 0, len(rows))
	for _, row := range rows {
		i, err := integrationFromRow(row)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, s.attachEmbeddings(ctx, teamID, out)
}

// GetIntegration returns one of the team's live integrations.
func (s *Service) GetIntegration(ctx context.Context, teamID, id uuid.UUID) (Integration, error) {
	row, err := s.queries.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: id})
	if err != nil {
		return Integration{}, fmt.Errorf("get integration %s: %w", id, dbError(err))
	}
	it, err := integrationFromRow(row)
	if err != nil {
		return Integration{}, err
	}
	return s.withEmbedding(ctx, teamID, it)
}

// UpdateIntegration applies a patch, validates the result like a new
// integration, and saves it only if it works.
func (s *Service) UpdateIntegration(ctx context.Context, teamID, id uuid.UUID, patch IntegrationPatch) (Integration, error) {
	row, err := s.queries.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: id})
	if err != nil {
		return Integration{}, fmt.Errorf("update integration %s: %w", id, dbError(err))
	}
	if patch.Type != "" && patch.Type != row.Type {
		return Integration{}, &InputError{Field: "type", Problem: fmt.Sprintf("cannot change from %s to %s; create a new integration", row.Type, patch.Type)}
	}
	spec, err := creatableSpec(row.Type)
	if err != nil {
		return Integration{}, err
	}
	name := row.Name
	if patch.Name != nil {
		if name, err = integrationName(*patch.Name, spec); err != nil {
			return Integration{}, err
		}
	}
	values, err := s.storedValues(row)
	if err != nil {
		return Integration{}, err
	}
	if err := requireSecretsForNewDestination(spec, values, row.SecretFields, patch.Credentials); err != nil {
		return Integration{}, err
	}
	for k, v := range patch.Credentials {
		switch {
		case v == nil:
			delete(values, k)
		case v == SecretMarker && slices.Contains(spec.SecretFields(), k):
			// keep the stored secret
		default:
			values[k] = v
		}
	}
	config, secretValues, err := spec.Normalize(values)
	if err != nil {
		return Integration{}, fieldError("credentials", err)
	}
	sealed, err := s.sealIntegration(id, spec, config, secretValues)
	if err != nil {
		return Integration{}, err
	}
	validation, err := s.validate(ctx, teamID, name, sealed)
	if err != nil {
		return Integration{}, err
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return Integration{}, fmt.Errorf("update integration: %w", err)
	}
	now := time.Now()
	updated, err := s.queries.IntegrationUpdate(ctx, db.IntegrationUpdateParams{
		TeamID: teamID, ID: id, Name: name, Config: configJSON, SealedSecrets: sealed.SealedSecrets,
		SecretFields: sortedKeys(secretValues), Status: "active", ValidatedAt: &now,
	})
	if err != nil {
		return Integration{}, fmt.Errorf("update integration %s: %w", id, dbError(err))
	}
	// What was discovered with the old credentials may not hold for the new ones.
	s.sources.forget(id)
	if err := s.queries.DiscoveryCacheClear(ctx, db.DiscoveryCacheClearParams{TeamID: teamID, IntegrationID: id}); err != nil {
		return Integration{}, fmt.Errorf("update integration %s: clear discovery cache: %w", id, dbError(err))
	}
	it, err := integrationFromRow(updated)
	if err == nil {
		s.startEmbedding(ctx, teamID, &it, "updated")
	}
	it.ValidationWarnings = validation.Warnings
	return it, err
}

// DeleteIntegration soft-deletes an integration, erases its secrets and
// deletes its sync configurations with their Temporal Schedules, all or
// nothing, so no schedule keeps starting runs of an integration that is gone.
// Run history stays. Integrations sluice created itself (the team's lake)
// cannot be deleted.
func (s *Service) DeleteIntegration(ctx context.Context, teamID, id uuid.UUID) error {
	row, err := s.queries.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: id})
	if err != nil {
		return fmt.Errorf("delete integration %s: %w", id, dbError(err))
	}
	if _, err := creatableSpec(row.Type); err != nil {
		return err
	}
	// Best effort: a source that cannot be reached keeps its slot, which
	// the log names (and DELETE …/sync says so in its answer).
	if cleanup, err := s.DropSyncCDC(ctx, teamID, id); err == nil && cleanup != nil && !cleanup.Dropped {
		slog.WarnContext(ctx, "deleted integration's cdc slot was not dropped", "integration", id, "slot", cleanup.Slot, "error", cleanup.Error, "manual", cleanup.Manual)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		q := s.queries.WithTx(tx)
		if _, err := q.IntegrationSoftDelete(ctx, db.IntegrationSoftDeleteParams{TeamID: teamID, ID: id}); err != nil {
			return fmt.Errorf("delete integration %s: %w", id, dbError(err))
		}
		configIDs, err := q.SyncConfigDeleteByIntegration(ctx, db.SyncConfigDeleteByIntegrationParams{TeamID: teamID, IntegrationID: id})
		if err != nil {
			return fmt.Errorf("delete integration %s: delete sync configs: %w", id, dbError(err))
		}
		for _, configID := range configIDs {
			if err := s.deleteSchedule(ctx, configID); err != nil {
				return fmt.Errorf("delete integration %s: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.sources.forget(id)
	return nil
}

// creatableSpec finds a type users may create or change.
func creatableSpec(typ string) (connectors.TypeSpec, error) {
	if typ == "" {
		return connectors.TypeSpec{}, &InputError{Field: "type", Problem: "is required"}
	}
	spec, ok := connectors.Lookup(typ)
	if !ok || spec.Slug != typ {
		return connectors.TypeSpec{}, &InputError{Field: "type", Problem: fmt.Sprintf("%q is not a supported type (see GET /v2/connectionconfig)", typ)}
	}
	if !spec.UserCreatable {
		return connectors.TypeSpec{}, &InputError{Field: "type", Problem: fmt.Sprintf("%s integrations are created by sluice, not through the API", typ)}
	}
	return spec, nil
}

func integrationName(name string, spec connectors.TypeSpec) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return spec.Name, nil
	}
	if len(name) > maxNameLength {
		return "", &InputError{Field: "name", Problem: fmt.Sprintf("is longer than %d characters", maxNameLength)}
	}
	// Postgres cannot store a NUL, and control characters would corrupt logs.
	if err := checkText(textRule{field: "name", value: name, max: maxNameLength}); err != nil {
		return "", err
	}
	return name, nil
}

// fieldError turns a catalog FieldError into an InputError under prefix.
func fieldError(prefix string, err error) error {
	var fe *connectors.FieldError
	if errors.As(err, &fe) {
		return &InputError{Field: prefix + "." + fe.Field, Problem: fe.Problem}
	}
	return err
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func integrationFromRow(row db.Integration) (Integration, error) {
	config := map[string]any{}
	if len(row.Config) > 0 {
		if err := json.Unmarshal(row.Config, &config); err != nil {
			return Integration{}, fmt.Errorf("decode config of integration %s: %w", row.ID, err)
		}
	}
	return Integration{
		ID: row.ID, Type: row.Type, Name: row.Name, Status: row.Status, Config: config,
		SecretsSet: row.SecretFields, ValidatedAt: row.ValidatedAt, CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt,
	}, nil
}

// sealIntegration seals the secrets, bound to the integration id, into the
// form workflow inputs carry.
func (s *Service) sealIntegration(id uuid.UUID, spec connectors.TypeSpec, config, secretValues map[string]any) (activities.SealedIntegration, error) {
	sealed := activities.SealedIntegration{IntegrationID: id.String(), Type: spec.Slug, Config: config}
	if len(secretValues) > 0 {
		ct, err := s.keyring.SealJSON(secretValues, []byte(id.String()))
		if err != nil {
			return sealed, fmt.Errorf("seal secrets: %w", err)
		}
		sealed.SealedSecrets = ct
	}
	return sealed, nil
}

// storedValues returns an integration's configuration and opened secrets.
func (s *Service) storedValues(row db.Integration) (map[string]any, error) {
	config := map[string]any{}
	if err := json.Unmarshal(row.Config, &config); err != nil {
		return nil, fmt.Errorf("decode config of integration %s: %w", row.ID, err)
	}
	secretValues := map[string]any{}
	if len(row.SealedSecrets) > 0 {
		if err := s.keyring.OpenJSON(row.SealedSecrets, []byte(row.ID.String()), &secretValues); err != nil {
			return nil, fmt.Errorf("open secrets of integration %s: %w", row.ID, err)
		}
	}
	return connectors.MergeValues(config, secretValues), nil
}
