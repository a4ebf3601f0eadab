package service

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sluice-dev/sluice/observability"
)

// textRule bounds one reported text field.
type textRule struct {
	field    string
	value    string
	max      int
	required bool
	// multiline allows line breaks and tabs (SQL text); other control
	// characters stay refused.
	multiline bool
}

// checkText checks reported names and ids: present when required, valid
// UTF-8, within their length, and free of control characters (which would
// corrupt logs and URLs).
func checkText(rules ...textRule) error {
	for _, r := range rules {
		if strings.TrimSpace(r.value) == "" {
			if r.required {
				return &InputError{Field: r.field, Problem: "is required"}
			}
			continue
		}
		if !utf8.ValidString(r.value) {
			return &InputError{Field: r.field, Problem: "is not valid UTF-8"}
		}
		if n := utf8.RuneCountInString(r.value); n > r.max {
			return &InputError{Field: r.field, Problem: fmt.Sprintf("is %d characters long; at most %d are accepted", n, r.max)}
		}
		if strings.ContainsFunc(r.value, func(c rune) bool { return unicode.IsControl(c) && !(r.multiline && isLayout(c)) }) {
			return &InputError{Field: r.field, Problem: "contains control characters"}
		}
	}
	return nil
}

// isLayout says c is a line break or tab, as SQL text is laid out with.
func isLayout(c rune) bool { return c == '\n' || c == '\r' || c == '\t' }

// storable says Postgres text can hold s: valid UTF-8 without NUL bytes.
// No stored name fails it, so a lookup by a name that does finds nothing
// (rather than failing in the database).
func storable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

func taskIDRule(taskID string) textRule {
	return textRule{field: "task_id", value: taskID, max: observability.MaxIDLength, required: true}
}

// Metric is one reported metric value.
type Metric struct {
	AssetName  string
	AssetType  string
	MetricType string
	Value      float64
}

func checkMetrics(metrics []Metric) error {
	if len(metrics) == 0 {
		return &InputError{Field: "metrics", Problem: "is empty; send at least one metric"}
	}
	if len(metrics) > observability.MaxMetricsPerBatch {
		return &TooManyError{Field: "metrics", Count: len(metrics), Max: observability.MaxMetricsPerBatch}
	}
	for i, m := range metrics {
		prefix := fmt.Sprintf("metrics[%d].", i)
		if err := checkText(
			textRule{field: prefix + "asset_name", value: m.AssetName, max: observability.MaxDatasetName, required: true},
			textRule{field: prefix + "asset_type", value: m.AssetType, max: observability.MaxNameLength},
			textRule{field: prefix + "metric_type", value: m.MetricType, max: observability.MaxNameLength, required: true},
		); err != nil {
			return err
		}
		if math.IsNaN(m.Value) || math.IsInf(m.Value, 0) {
			return &InputError{Field: prefix + "value", Problem: "must be a finite number"}
		}
	}
	return nil
}
