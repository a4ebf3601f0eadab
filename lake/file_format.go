package lake

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// fileFormat is how a table's data files are written: the Parquet options
// the DuckLake specification keeps in ducklake_metadata (parquet_version,
// parquet_compression, parquet_compression_level), set lake-wide, for a
// schema or for a table (the ducklake extension's set_option), so sluice
// writes files the way every client of the lake is told to.
type fileFormat struct {
	version     string // V1 or V2; "" is DuckDB's default, V1
	compression string // "" is DuckDB's default, snappy
	level       int64  // 0: the codec's default
}

// copyOptions are the format's options of DuckDB's COPY … TO (FORMAT parquet).
func (f fileFormat) copyOptions() string {
	var b strings.Builder
	if f.version != "" {
		b.WriteString(", PARQUET_VERSION " + f.version)
	}
	if f.compression != "" {
		b.WriteString(", COMPRESSION " + f.compression)
	}
	if f.level != 0 && f.compression == "zstd" { // DuckDB takes a level for zstd only
		b.WriteString(", COMPRESSION_LEVEL " + strconv.FormatInt(f.level, 10))
	}
	return b.String()
}

// newLakeParquetVersion is the parquet_version a lake sluice creates asks
// of its writers: version 2's encodings (delta-packed integers, delta
// lengths for strings) made the sync benchmark's files a quarter the size,
// for slightly less writing CPU; DuckDB, Spark, Trino, Polars and Arrow
// read them. A team whose reader does not sets the option back to 1
// (lake/README.md).
const newLakeParquetVersion = "V2"

// fileFormatKeys are the ducklake_metadata options that shape a data file.
var fileFormatKeys = []string{"parquet_version", "parquet_compression", "parquet_compression_level"}

// parquetCodecs are the codecs the specification lists for parquet_compression.
var parquetCodecs = map[string]bool{"uncompressed": true, "snappy": true, "gzip": true, "zstd": true, "brotli": true, "lz4": true, "lz4_raw": true}

// fileFormatFor reads the format of a table's files: a table's own option
// wins over its schema's, which wins over the lake's. t is nil for a table
// not created yet, and schema too when its schema is new.
func (l *Lake) fileFormatFor(ctx context.Context, q querier, schema *lakeSchema, t *lakeTable) (fileFormat, error) {
	var schemaID, tableID *int64
	if schema != nil {
		schemaID = &schema.ID
	}
	if t != nil {
		tableID = &t.ID
	}
	// Each key's rows ordered from the most specific scope down: the first wins.
	rows, err := q.Query(ctx, l.q(`SELECT DISTINCT ON (key) key, value FROM {S}.ducklake_metadata
WHERE key = ANY($1) AND (scope IS NULL OR (scope = 'schema' AND scope_id = $2) OR (scope = 'table' AND scope_id = $3))
ORDER BY key, CASE scope WHEN 'table' THEN 0 WHEN 'schema' THEN 1 ELSE 2 END`), fileFormatKeys, schemaID, tableID)
	if err != nil {
		return fileFormat{}, fmt.Errorf("read the lake's file options: %w", err)
	}
	options := map[string]string{}
	for rows.Next() {
		var key, value string
		if err := rows.Scan(&key, &value); err != nil {
			rows.Close()
			return fileFormat{}, fmt.Errorf("read the lake's file options: %w", err)
		}
		options[key] = value
	}
	if err := rows.Err(); err != nil {
		return fileFormat{}, fmt.Errorf("read the lake's file options: %w", err)
	}
	return parseFileFormat(options)
}

// parseFileFormat checks option values before they reach a COPY statement:
// a value no DuckLake client would have stored fails the write, rather than
// writing files in a format the lake did not ask for.
func parseFileFormat(options map[string]string) (fileFormat, error) {
	var f fileFormat
	if v, ok := options["parquet_version"]; ok {
		switch strings.ToUpper(strings.TrimSpace(v)) {
		case "1", "V1":
			f.version = "V1"
		case "2", "V2":
			f.version = "V2"
		default:
			return f, fmt.Errorf("lake option parquet_version is %q: it must be 1 or 2", v)
		}
	}
	if v, ok := options["parquet_compression"]; ok {
		codec := strings.ToLower(strings.TrimSpace(v))
		if !parquetCodecs[codec] {
			return f, fmt.Errorf("lake option parquet_compression is %q: it must be one of uncompressed, snappy, gzip, zstd, brotli, lz4, lz4_raw", v)
		}
		f.compression = codec
	}
	if v, ok := options["parquet_compression_level"]; ok {
		level, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
		if err != nil || level < 0 || level > 22 {
			return f, fmt.Errorf("lake option parquet_compression_level is %q: it must be a whole number from 0 to 22", v)
		}
		f.level = level
	}
	return f, nil
}
