package telemetry

import (
	"strings"
	"unicode/utf8"
)

// sanitizeMetricName maps s to a valid Prometheus metric name,
// [a-zA-Z_:][a-zA-Z0-9_:]*, replacing each invalid character with '_'.
func sanitizeMetricName(s string) string {
	return sanitizeName(s, true)
}

// sanitizeLabelName maps s to a valid, non-reserved Prometheus label name,
// [a-zA-Z_][a-zA-Z0-9_]*. Names Prometheus reserves ("__" prefixes, and
// "le", which histograms use for buckets) get a "tag_" prefix.
func sanitizeLabelName(s string) string {
	name := sanitizeName(s, false)
	if name == "le" || strings.HasPrefix(name, "__") {
		return "tag_" + name
	}
	return name
}

// sanitizeLabelValue replaces invalid UTF-8 in s with U+FFFD.
func sanitizeLabelValue(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// sanitizeName replaces the characters of s that are invalid in a
// Prometheus name with '_', allowing ':' only if colon is set, and prefixes
// '_' to a name starting with a digit. It returns "_" for an empty s.
func sanitizeName(s string, colon bool) string {
	valid := func(i int, r rune) bool {
		return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') ||
			(colon && r == ':') || (i > 0 && r >= '0' && r <= '9')
	}
	clean := s != ""
	for i, r := range s {
		if !valid(i, r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 1)
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		b.WriteByte('_')
	}
	for _, r := range s {
		if valid(1, r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
