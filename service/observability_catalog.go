package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/observability"
)

// DatasetSummary is a dataset in a list.
type DatasetSummary struct {
	Name          string    `json:"name"`
	Type          string    `json:"ds_type"`
	Namespace     string    `json:"namespace,omitempty"`
	SchemaVersion int32     `json:"schema_version"`
	FieldCount    int32     `json:"field_count"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// ListDatasets lists the team's datasets by name, optionally those starting
// with prefix, one page at a time (the cursor is the last name of a page).
func (s *Service) ListDatasets(ctx context.Context, teamID uuid.UUID, prefix string, page PageRequest) ([]DatasetSummary, string, error) {
	limit, err := page.limit()
	if err != nil {
		return nil, "", err
	}
	if err := checkText(textRule{field: "prefix", value: prefix, max: observability.MaxDatasetName}); err != nil {
		return nil, "", err
	}
	rows, err := s.queries.ObsDatasetList(ctx, db.ObsDatasetListParams{
		TeamID: teamID, After: page.Cursor, NamePrefix: likePrefix(prefix), RowLimit: limit,
	})
	if err != nil {
		return nil, "", fmt.Errorf("list datasets: %w", dbError(err))
	}
	out := make([]DatasetSummary, 0, len(rows))
	for _, r := range rows {
		out = append(out, DatasetSummary{Name: r.Name, Type: r.DsType, Namespace: r.Namespace,
			SchemaVersion: r.SchemaVersion, FieldCount: r.FieldCount, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt})
	}
	next := ""
	if len(out) == int(limit) {
		next = out[len(out)-1].Name
	}
	return out, next, nil
}

// likePrefix escapes LIKE's wildcards so a prefix matches literally.
func likePrefix(prefix string) string {
	var out []rune
	for _, r := range prefix {
		if r == '%' || r == '_' || r == '\\' {
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}

// SchemaVersion is one version of a dataset's schema.
type SchemaVersion struct {
	Version   int32                 `json:"version"`
	Fields    []observability.Field `json:"fields"`
	TaskID    string                `json:"task_id,omitempty"`
	TfID      string                `json:"tf_id,omitempty"`
	CreatedAt time.Time             `json:"created_at"`
}

// SchemaChangeEvent is how one version differs from the one before.
type SchemaChangeEvent struct {
	FromVersion int32 `json:"from_version"`
	ToVersion   int32 `json:"to_version"`
	observability.SchemaChange
	TaskID    string    `json:"task_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// DatasetDetail is a dataset with its schema history.
type DatasetDetail struct {
	DatasetSummary
	Properties map[string]string
	Versions   []SchemaVersion
	Changes    []SchemaChangeEvent
}

// maxVersionsShown bounds the schema history one answer lists, newest first.
const maxVersionsShown = 200

// GetDataset returns a dataset with its schema versions and change events.
func (s *Service) GetDataset(ctx context.Context, teamID uuid.UUID, name string) (DatasetDetail, error) {
	if !storable(name) {
		return DatasetDetail{}, &MissingError{What: fmt.Sprintf("dataset %q not found", name)}
	}
	row, err := s.queries.ObsDatasetGet(ctx, db.ObsDatasetGetParams{TeamID: teamID, Name: name})
	if errors.Is(err, pgx.ErrNoRows) {
		return DatasetDetail{}, &MissingError{What: fmt.Sprintf("dataset %q not found", name)}
	}
	if err != nil {
		return DatasetDetail{}, fmt.Errorf("get dataset %s: %w", name, dbError(err))
	}
	d := DatasetDetail{DatasetSummary: DatasetSummary{Name: row.Name, Type: row.DsType, Namespace: row.Namespace,
		CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt}}
	if err := json.Unmarshal(row.Properties, &d.Properties); err != nil {
		return d, fmt.Errorf("decode properties of dataset %s: %w", name, err)
	}
	versions, err := s.queries.ObsSchemaVersionList(ctx, db.ObsSchemaVersionListParams{TeamID: teamID, DatasetID: row.ID, RowLimit: maxVersionsShown})
	if err != nil {
		return d, fmt.Errorf("read schema versions of dataset %s: %w", name, dbError(err))
	}
	d.Versions = make([]SchemaVersion, 0, len(versions))
	for _, v := range versions {
		sv := SchemaVersion{Version: v.Version, TaskID: v.TaskID, TfID: v.TfID, CreatedAt: v.CreatedAt}
		if err := json.Unmarshal(v.Fields, &sv.Fields); err != nil {
			return d, fmt.Errorf("decode schema version %d of dataset %s: %w", v.Version, name, err)
		}
		d.Versions = append(d.Versions, sv)
	}
	if len(d.Versions) > 0 {
		d.SchemaVersion, d.FieldCount = d.Versions[0].Version, int32(len(d.Versions[0].Fields))
	}
	changes, err := s.queries.ObsSchemaChangeList(ctx, db.ObsSchemaChangeListParams{TeamID: teamID, DatasetID: row.ID, RowLimit: maxVersionsShown})
	if err != nil {
		return d, fmt.Errorf("read schema changes of dataset %s: %w", name, dbError(err))
	}
	d.Changes = make([]SchemaChangeEvent, 0, len(changes))
	for _, c := range changes {
		ev := SchemaChangeEvent{FromVersion: c.FromVersion, ToVersion: c.ToVersion, TaskID: c.TaskID, CreatedAt: c.CreatedAt}
		if err := errors.Join(json.Unmarshal(c.Added, &ev.Added), json.Unmarshal(c.Removed, &ev.Removed), json.Unmarshal(c.Retyped, &ev.Retyped)); err != nil {
			return d, fmt.Errorf("decode schema change to version %d of dataset %s: %w", c.ToVersion, name, err)
		}
		d.Changes = append(d.Changes, ev)
	}
	return d, nil
}

// MetricQuery selects metric values of one asset.
type MetricQuery struct {
	AssetName  string
	MetricType string
	Since      *time.Time
	Until      *time.Time
	// Limit bounds the values returned (the newest ones); 0 means DefaultMetricPoints.
	Limit int
}

// Bounds on the values one metrics answer carries.
const (
	DefaultMetricPoints = 1000
	MaxMetricPoints     = 10000
)

// MetricPoint is one value of a series.
type MetricPoint struct {
	Value      float64   `json:"value"`
	RecordedAt time.Time `json:"recorded_at"`
	TaskID     string    `json:"task_id"`
	Anomaly    bool      `json:"anomaly"`
}

// MetricSeries is the values of one (asset, metric type), oldest first.
type MetricSeries struct {
	AssetName  string        `json:"asset_name"`
	AssetType  string        `json:"asset_type"`
	MetricType string        `json:"metric_type"`
	Points     []MetricPoint `json:"points"`
}

// MetricSeriesOf returns the series of an asset, one per metric type (or only
// the one asked for), with anomalous values marked.
func (s *Service) MetricSeriesOf(ctx context.Context, teamID uuid.UUID, q MetricQuery) ([]MetricSeries, error) {
	if err := checkText(
		textRule{field: "asset_name", value: q.AssetName, max: observability.MaxDatasetName, required: true},
		textRule{field: "metric_type", value: q.MetricType, max: observability.MaxNameLength},
	); err != nil {
		return nil, err
	}
	limit := q.Limit
	switch {
	case limit == 0:
		limit = DefaultMetricPoints
	case limit < 1 || limit > MaxMetricPoints:
		return nil, &InputError{Field: "limit", Problem: fmt.Sprintf("must be between 1 and %d", MaxMetricPoints)}
	}
	rows, err := s.queries.ObsMetricSeries(ctx, db.ObsMetricSeriesParams{
		TeamID: teamID, AssetName: q.AssetName, MetricType: q.MetricType,
		Since: orTime(q.Since, beginningOfTime), Until: orTime(q.Until, endOfTime), RowLimit: int32(limit),
	})
	if err != nil {
		return nil, fmt.Errorf("read metrics of %s: %w", q.AssetName, dbError(err))
	}
	// Rows come newest first per metric type; series list points oldest first.
	slices.Reverse(rows)
	var out []MetricSeries
	index := map[string]int{}
	for _, r := range rows {
		i, ok := index[r.MetricType]
		if !ok {
			i = len(out)
			index[r.MetricType] = i
			out = append(out, MetricSeries{AssetName: r.AssetName, AssetType: r.AssetType, MetricType: r.MetricType})
		}
		out[i].Points = append(out[i].Points, MetricPoint{Value: r.Value, RecordedAt: r.RecordedAt, TaskID: r.TaskID, Anomaly: r.Anomaly})
	}
	slices.SortFunc(out, func(a, b MetricSeries) int { return strings.Compare(a.MetricType, b.MetricType) })
	return nonNilSeries(out), nil
}

func nonNilSeries(s []MetricSeries) []MetricSeries {
	if s == nil {
		return []MetricSeries{}
	}
	return s
}
