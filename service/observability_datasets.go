package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/alerts"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/observability"
)

// DatasetReport records what a task run saw of a dataset: its schema and
// any other metadata.
type DatasetReport struct {
	TaskID string
	// TfID, when set, names the transformation of the run that the report is about.
	TfID      string
	Name      string
	Type      string
	Namespace string
	// Fields is the schema; empty means the report carries no schema.
	Fields []observability.Field
	// Properties are other metadata (info_type → info_value), merged into the dataset's.
	Properties map[string]string
	ReportedAt time.Time
}

func (in DatasetReport) check() error {
	if err := checkText(taskIDRule(in.TaskID),
		textRule{field: "tf_id", value: in.TfID, max: observability.MaxIDLength},
		textRule{field: "ds_name", value: in.Name, max: observability.MaxDatasetName, required: true},
		textRule{field: "ds_type", value: in.Type, max: observability.MaxNameLength},
		textRule{field: "namespace", value: in.Namespace, max: observability.MaxDatasetName},
	); err != nil {
		return err
	}
	if n := len(in.Fields) + len(in.Properties); n > observability.MaxSchemaFields {
		return &TooManyError{Field: "metadata", Count: n, Max: observability.MaxSchemaFields}
	}
	for i, f := range in.Fields {
		if err := checkText(
			textRule{field: fmt.Sprintf("metadata[%d] column name", i), value: f.Name, max: observability.MaxNameLength, required: true},
			textRule{field: fmt.Sprintf("metadata[%d] column type", i), value: f.Type, max: observability.MaxNameLength},
		); err != nil {
			return err
		}
	}
	for k, v := range in.Properties {
		if err := checkText(textRule{field: "metadata info_type", value: k, max: observability.MaxNameLength, required: true},
			textRule{field: "metadata[" + k + "].info_value", value: v, max: observability.MaxQueryLength}); err != nil {
			return err
		}
	}
	return nil
}

// ReportDataset records a dataset report of a started task run in one
// transaction. A schema that differs from the dataset's latest version
// becomes a new version with a change event (columns added, removed,
// retyped); the same schema again records nothing new.
func (s *Service) ReportDataset(ctx context.Context, teamID uuid.UUID, in DatasetReport) error {
	if err := in.check(); err != nil {
		return err
	}
	return s.withReportTx(ctx, func(q *db.Queries) error {
		run, err := startedRun(ctx, q, teamID, in.TaskID)
		if err != nil {
			return err
		}
		return recordDataset(ctx, q, s.alertLinks(), teamID, run, in)
	})
}

func recordDataset(ctx context.Context, q *db.Queries, links alerts.LinkBase, teamID uuid.UUID, run db.ObsTaskRun, in DatasetReport) error {
	at := in.ReportedAt
	if at.IsZero() {
		at = time.Now()
	}
	ids, err := ensureDatasets(ctx, q, teamID, []string{in.Name})
	if err != nil {
		return err
	}
	datasetID := ids[in.Name]
	props, err := json.Marshal(nonNilMap(in.Properties))
	if err != nil {
		return fmt.Errorf("encode properties of dataset %s: %w", in.Name, err)
	}
	if err := q.ObsDatasetDescribe(ctx, db.ObsDatasetDescribeParams{
		TeamID: teamID, ID: datasetID, DsType: in.Type, Namespace: in.Namespace, Properties: props,
	}); err != nil {
		return fmt.Errorf("describe dataset %s: %w", in.Name, dbError(err))
	}
	var version *int32
	if len(in.Fields) > 0 {
		v, err := recordSchemaVersion(ctx, q, links, teamID, run, datasetID, in, at)
		if err != nil {
			return err
		}
		version = &v
	}
	if err := q.ObsTaskDatasetUpsert(ctx, db.ObsTaskDatasetUpsertParams{
		TaskRunID: run.ID, DatasetID: datasetID, TeamID: teamID, SchemaVersion: version, TfID: in.TfID, ReportedAt: at,
	}); err != nil {
		return fmt.Errorf("record dataset %s of task %s: %w", in.Name, run.TaskID, dbError(err))
	}
	return nil
}

// recordSchemaVersion returns the version number of the reported schema,
// creating a version (and a change event) when it differs from the latest.
// The dataset row is locked so concurrent reports number versions in turn.
func recordSchemaVersion(ctx context.Context, q *db.Queries, links alerts.LinkBase, teamID uuid.UUID, run db.ObsTaskRun, datasetID int64, in DatasetReport, at time.Time) (int32, error) {
	if _, err := q.ObsDatasetLock(ctx, db.ObsDatasetLockParams{TeamID: teamID, ID: datasetID}); err != nil {
		return 0, fmt.Errorf("lock dataset %s: %w", in.Name, dbError(err))
	}
	fields := observability.NormalizeFields(in.Fields)
	fingerprint := observability.Fingerprint(fields)
	latest, err := q.ObsSchemaVersionLatest(ctx, db.ObsSchemaVersionLatestParams{TeamID: teamID, DatasetID: datasetID})
	hasPrevious := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("read schema of dataset %s: %w", in.Name, dbError(err))
	}
	if hasPrevious && latest.Fingerprint == fingerprint {
		return latest.Version, nil
	}
	fieldsJSON, err := json.Marshal(fields)
	if err != nil {
		return 0, fmt.Errorf("encode schema of dataset %s: %w", in.Name, err)
	}
	next := latest.Version + 1
	if _, err := q.ObsSchemaVersionCreate(ctx, db.ObsSchemaVersionCreateParams{
		TeamID: teamID, DatasetID: datasetID, Version: next, Fields: fieldsJSON, Fingerprint: fingerprint,
		TaskRunID: &run.ID, TfID: in.TfID, CreatedAt: at,
	}); err != nil {
		return 0, fmt.Errorf("record schema version %d of dataset %s: %w", next, in.Name, dbError(err))
	}
	if !hasPrevious {
		return next, nil
	}
	if err := recordSchemaChange(ctx, q, links, teamID, run, in.Name, datasetID, latest, fields, at); err != nil {
		return 0, fmt.Errorf("record schema change of dataset %s: %w", in.Name, err)
	}
	return next, nil
}

func recordSchemaChange(ctx context.Context, q *db.Queries, links alerts.LinkBase, teamID uuid.UUID, run db.ObsTaskRun, name string, datasetID int64,
	previous db.ObsSchemaVersion, fields []observability.Field, at time.Time) error {
	var before []observability.Field
	if err := json.Unmarshal(previous.Fields, &before); err != nil {
		return fmt.Errorf("decode version %d: %w", previous.Version, err)
	}
	change := observability.DiffSchemas(before, fields)
	if change.Empty() {
		return nil // only the order changed: a new version, but no column changed
	}
	added, _ := json.Marshal(change.Added)
	removed, _ := json.Marshal(change.Removed)
	retyped, _ := json.Marshal(change.Retyped)
	if err := q.ObsSchemaChangeCreate(ctx, db.ObsSchemaChangeCreateParams{
		TeamID: teamID, DatasetID: datasetID, FromVersion: previous.Version, ToVersion: previous.Version + 1,
		Added: added, Removed: removed, Retyped: retyped, TaskRunID: &run.ID, CreatedAt: at,
	}); err != nil {
		return dbError(err)
	}
	return emitSchemaChange(ctx, q, links, teamID, run, name, previous.Version, change)
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
