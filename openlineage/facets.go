package openlineage

import (
	"slices"
	"strconv"
)

// facetsOf checks a facets object: every facet is an object carrying the
// BaseFacet's required _producer and _schemaURL URIs. It returns the facets
// by name.
func facetsOf(n node) (map[string]node, error) {
	if !n.present() {
		return nil, nil
	}
	m, err := n.object()
	if err != nil {
		return nil, err
	}
	out := make(map[string]node, len(m))
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names) // report the first bad facet by name, the same every time
	for _, name := range names {
		f := n.member(name, m[name])
		if _, err := f.object(); err != nil {
			return nil, err
		}
		if _, err := f.uri("_producer", true); err != nil {
			return nil, err
		}
		if _, err := f.uri("_schemaURL", true); err != nil {
			return nil, err
		}
		out[name] = f
	}
	return out, nil
}

func parseDataset(n node, ioFacetsKey string) (Dataset, error) {
	if _, err := n.object(); err != nil {
		return Dataset{}, err
	}
	var d Dataset
	var err error
	if d.Namespace, err = n.requiredString("namespace", maxNameLength); err != nil {
		return d, err
	}
	if d.Name, err = n.requiredString("name", maxNameLength); err != nil {
		return d, err
	}
	facets, err := facetsOf(n.get("facets"))
	if err != nil {
		return d, err
	}
	ioFacets, err := facetsOf(n.get(ioFacetsKey))
	if err != nil {
		return d, err
	}
	if f, ok := facets["datasetType"]; ok {
		if d.Type, err = f.optionalString("datasetType", maxNameLength); err != nil {
			return d, err
		}
	}
	if f, ok := facets["schema"]; ok {
		if d.Schema, err = schemaFields(f.get("fields"), "", 0, nil); err != nil {
			return d, err
		}
	}
	if f, ok := facets["columnLineage"]; ok {
		if d.ColumnLineage, err = columnLineage(f); err != nil {
			return d, err
		}
	}
	// dataQualityMetrics is an input facet, and (in newer specs) a dataset facet.
	for _, f := range []node{ioFacets["dataQualityMetrics"], facets["dataQualityMetrics"]} {
		if f.present() {
			metrics, err := dataQualityMetrics(f)
			if err != nil {
				return d, err
			}
			d.Metrics = append(d.Metrics, metrics...)
		}
	}
	if f, ok := ioFacets["outputStatistics"]; ok {
		metrics, err := sizeMetrics(f, "size")
		if err != nil {
			return d, err
		}
		d.Metrics = append(d.Metrics, metrics...)
	}
	return d, nil
}

// schemaFields reads a schema facet's fields; nested fields (structs) are
// flattened to parent.child.
func schemaFields(n node, prefix string, depth int, out []SchemaField) ([]SchemaField, error) {
	if !n.present() {
		return out, nil
	}
	if depth > maxFieldDepth {
		return nil, fieldErr(n.path, "nests deeper than %d levels", maxFieldDepth)
	}
	items, err := n.array()
	if err != nil {
		return nil, err
	}
	for i, item := range items {
		f := n.index(i, item)
		if _, err := f.object(); err != nil {
			return nil, err
		}
		name, err := f.requiredString("name", maxNameLength)
		if err != nil {
			return nil, err
		}
		typ, err := f.optionalString("type", maxNameLength)
		if err != nil {
			return nil, err
		}
		if _, err := f.optionalString("description", maxMessageLength); err != nil {
			return nil, err
		}
		out = append(out, SchemaField{Name: prefix + name, Type: typ})
		if len(out) > maxSchemaFields {
			return nil, fieldErr(n.path, "holds more than %d fields", maxSchemaFields)
		}
		if out, err = schemaFields(f.get("fields"), prefix+name+".", depth+1, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// columnLineage reads a columnLineage facet: fields maps each output column
// to {inputFields: [{namespace, name, field}]}.
func columnLineage(f node) (map[string][]InputField, error) {
	fields := f.get("fields")
	if !fields.present() {
		return nil, fieldErr(fields.path, "is required")
	}
	m, err := fields.object()
	if err != nil {
		return nil, err
	}
	out := make(map[string][]InputField, len(m))
	total := 0
	for column, v := range m {
		entry := fields.member(column, v)
		if _, err := entry.object(); err != nil {
			return nil, err
		}
		inputs := entry.get("inputFields")
		if !inputs.present() {
			return nil, fieldErr(inputs.path, "is required")
		}
		items, err := inputs.array()
		if err != nil {
			return nil, err
		}
		total += len(items)
		if total > maxColumnSources {
			return nil, fieldErr(fields.path, "names more than %d input fields", maxColumnSources)
		}
		for i, item := range items {
			in := inputs.index(i, item)
			if _, err := in.object(); err != nil {
				return nil, err
			}
			var src InputField
			if src.Namespace, err = in.requiredString("namespace", maxNameLength); err != nil {
				return nil, err
			}
			if src.Name, err = in.requiredString("name", maxNameLength); err != nil {
				return nil, err
			}
			if src.Field, err = in.requiredString("field", maxNameLength); err != nil {
				return nil, err
			}
			out[column] = append(out[column], src)
		}
	}
	return out, nil
}

// dataQualityMetrics reads rowCount, bytes, fileCount and the required
// columnMetrics of a dataQualityMetrics facet.
func dataQualityMetrics(f node) ([]Metric, error) {
	out, err := sizeMetrics(f, "bytes")
	if err != nil {
		return nil, err
	}
	cm := f.get("columnMetrics")
	if !cm.present() {
		return nil, fieldErr(cm.path, "is required")
	}
	columns, err := cm.object()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(columns))
	for name := range columns {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, column := range names {
		c := cm.member(column, columns[column])
		if _, err := c.object(); err != nil {
			return nil, err
		}
		for _, m := range []struct {
			key, metric string
			integer     bool
		}{
			{"nullCount", "null_count", true}, {"distinctCount", "distinct_count", true},
			{"sum", "sum", false}, {"count", "count", false}, {"min", "min", false}, {"max", "max", false},
		} {
			v, ok, err := c.number(m.key, m.integer)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, Metric{Type: column + "." + m.metric, Value: v})
			}
		}
		quantiles, err := quantileMetrics(c.get("quantiles"), column)
		if err != nil {
			return nil, err
		}
		out = append(out, quantiles...)
	}
	return out, nil
}

func quantileMetrics(q node, column string) ([]Metric, error) {
	if !q.present() {
		return nil, nil
	}
	m, err := q.object()
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []Metric
	for _, k := range keys {
		v, _, err := q.number(k, false)
		if err != nil {
			return nil, err
		}
		if _, perr := strconv.ParseFloat(k, 64); perr != nil {
			return nil, fieldErr(q.path+"."+k, "is not a quantile (a number such as 0.5)")
		}
		out = append(out, Metric{Type: column + ".quantile_" + k, Value: v})
	}
	return out, nil
}

// sizeMetrics reads rowCount, fileCount and the byte size (named bytes in
// dataQualityMetrics, size in outputStatistics).
func sizeMetrics(f node, bytesKey string) ([]Metric, error) {
	var out []Metric
	for _, m := range []struct{ key, metric string }{{"rowCount", "row_count"}, {bytesKey, "bytes"}, {"fileCount", "file_count"}} {
		v, ok, err := f.number(m.key, true)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, Metric{Type: m.metric, Value: v})
		}
	}
	return out, nil
}
