package semantic

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// identifier is what Cube accepts as a cube or member name.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// maxDocuments bounds how many YAML documents ("---") one source may hold.
const maxDocuments = 500

// ParseModel parses and validates a model in Cube's YAML format. The source
// may hold several YAML documents (one file per cube, joined with "---"),
// each with a top-level "cubes" list. Every error names the line and, where
// there is one, the cube and member.
func ParseModel(src []byte) (*Model, error) {
	if len(src) > MaxModelBytes {
		return nil, &ModelError{Msg: fmt.Sprintf("model is %d bytes; the limit is %d", len(src), MaxModelBytes)}
	}
	m := &Model{byName: map[string]*Cube{}}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for docs := 0; ; docs++ {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &ModelError{Msg: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
		}
		if docs >= maxDocuments {
			return nil, &ModelError{Line: doc.Line, Msg: fmt.Sprintf("more than %d YAML documents", maxDocuments)}
		}
		if err := m.addDocument(&doc); err != nil {
			return nil, err
		}
	}
	if len(m.Cubes) == 0 {
		return nil, &ModelError{Msg: `the model defines no cubes (want a top-level "cubes:" list)`}
	}
	if err := m.resolve(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) addDocument(doc *yaml.Node) error {
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return &ModelError{Line: root.Line, Msg: `the top level must be a mapping with a "cubes" list`}
	}
	return eachKey(root, "", func(key string, k, v *yaml.Node) error {
		switch key {
		case "cubes":
			return eachItem(v, "cubes", func(item *yaml.Node) error { return m.addCube(item) })
		case "views":
			m.Warnings = append(m.Warnings, fmt.Sprintf("line %d: views are not supported yet and were ignored", k.Line))
			return nil
		}
		return &ModelError{Line: k.Line, Msg: fmt.Sprintf("unknown top-level key %q (want cubes)", key)}
	})
}

// ignoredCubeKeys are accepted and have no effect on the SQL sluice writes.
var ignoredCubeKeys = map[string]bool{
	"public": true, "shown": true, "meta": true, "data_source": true, "pre_aggregations": true,
	"refresh_key": true, "sql_alias": true, "hierarchies": true, "folders": true, "access_policy": true,
}

func (m *Model) addCube(node *yaml.Node) error {
	if node.Kind != yaml.MappingNode {
		return &ModelError{Line: node.Line, Msg: "a cube must be a mapping"}
	}
	if len(m.Cubes) >= MaxCubes {
		return &ModelError{Line: node.Line, Msg: fmt.Sprintf("more than %d cubes", MaxCubes)}
	}
	c := &Cube{Line: node.Line, members: map[string]any{}}
	name, err := nameOf(node, "cube", "")
	if err != nil {
		return err
	}
	c.Name = name
	if _, dup := m.byName[name]; dup {
		return &ModelError{Line: node.Line, Cube: name, Msg: "defined twice"}
	}
	err = eachKey(node, name, func(key string, k, v *yaml.Node) error {
		switch key {
		case "name":
			return nil
		case "sql_table":
			c.SQLTable, err = sqlScalar(v, name, "", "", key)
		case "sql":
			c.SQL, err = sqlScalar(v, name, "", "", key)
		case "title":
			c.Title, err = scalar(v, name, "", "", key)
		case "description":
			c.Description, err = scalar(v, name, "", "", key)
		case "joins":
			err = eachItem(v, name, func(item *yaml.Node) error { return c.addJoin(item) })
		case "measures":
			err = eachItem(v, name, func(item *yaml.Node) error { return c.addMeasure(item) })
		case "dimensions":
			err = eachItem(v, name, func(item *yaml.Node) error { return c.addDimension(item) })
		case "segments":
			err = eachItem(v, name, func(item *yaml.Node) error { return c.addSegment(item) })
		case "extends":
			err = &ModelError{Line: k.Line, Cube: name, Msg: "extends is not supported; write the cube out in full"}
		default:
			if !ignoredCubeKeys[key] {
				err = &ModelError{Line: k.Line, Cube: name, Msg: fmt.Sprintf("unknown key %q", key)}
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	if (c.SQLTable == "") == (c.SQL == "") {
		return &ModelError{Line: c.Line, Cube: name, Msg: "set exactly one of sql_table and sql"}
	}
	m.Cubes = append(m.Cubes, c)
	m.byName[name] = c
	return nil
}

// ignoredMemberKeys are member properties accepted without effect on the SQL.
var ignoredMemberKeys = map[string]bool{
	"public": true, "shown": true, "meta": true, "drill_members": true, "granularities": true,
	"propagate_filters_to_sub_query": true, "order": true, "key": true,
}

func (c *Cube) addMember(node *yaml.Node, kind string) (string, error) {
	if node.Kind != yaml.MappingNode {
		return "", &ModelError{Line: node.Line, Cube: c.Name, Msg: "a " + kind + " must be a mapping"}
	}
	name, err := nameOf(node, kind, c.Name)
	if err != nil {
		return "", err
	}
	if len(c.members) >= MaxMembersPerCube {
		return "", &ModelError{Line: node.Line, Cube: c.Name, Msg: fmt.Sprintf("more than %d members", MaxMembersPerCube)}
	}
	if _, dup := c.members[name]; dup {
		return "", &ModelError{Line: node.Line, Cube: c.Name, Kind: kind, Member: name, Msg: "a member of this name is already defined in the cube"}
	}
	return name, nil
}

// memberProps are the properties measures and dimensions share.
type memberProps struct {
	typ, sql, title, description, format string
	// typeAt is the type value's node, so a wrong type is reported on its own line.
	typeAt *yaml.Node
}

// memberKeys reads a member's keys: the shared ones into props, the
// kind's own through extra (which reports whether it knew the key), and
// refuses the unsupported ones by name.
func (c *Cube) memberKeys(node *yaml.Node, kind, name string, props *memberProps, unsupported []string,
	extra func(key string, v *yaml.Node) (bool, error)) error {
	return eachKey(node, c.Name, func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "name":
		case "type":
			props.typ, err = scalar(v, c.Name, kind, name, key)
			props.typeAt = v
		case "sql":
			props.sql, err = sqlScalar(v, c.Name, kind, name, key)
		case "title":
			props.title, err = scalar(v, c.Name, kind, name, key)
		case "description":
			props.description, err = scalar(v, c.Name, kind, name, key)
		case "format":
			props.format, err = scalar(v, c.Name, kind, name, key)
		default:
			if slices.Contains(unsupported, key) {
				return memberErr(k, c.Name, kind, name, key+" is not supported")
			}
			known, err := extra(key, v)
			if err == nil && !known && !ignoredMemberKeys[key] {
				err = memberErr(k, c.Name, kind, name, fmt.Sprintf("unknown key %q", key))
			}
			return err
		}
		return err
	})
}

func (c *Cube) addMeasure(node *yaml.Node) error {
	name, err := c.addMember(node, "measure")
	if err != nil {
		return err
	}
	ms := &Measure{Cube: c, Name: name, Line: node.Line}
	var props memberProps
	err = c.memberKeys(node, "measure", name, &props, []string{"rolling_window", "multi_stage", "time_shift", "case"},
		func(key string, v *yaml.Node) (bool, error) {
			if key != "filters" {
				return false, nil
			}
			return true, eachItem(v, c.Name, func(item *yaml.Node) error {
				f, err := filterSQL(item, c.Name, name)
				ms.Filters = append(ms.Filters, f)
				return err
			})
		})
	if err != nil {
		return err
	}
	ms.Type, ms.SQL, ms.Title, ms.Description, ms.Format = props.typ, props.sql, props.title, props.description, props.format
	switch ms.Type {
	case MeasureCount:
	case MeasureCountDistinct, MeasureCountDistinctApprox, MeasureSum, MeasureAvg, MeasureMin, MeasureMax, MeasureNumber:
		if ms.SQL == "" {
			return memberErr(node, c.Name, "measure", name, "type "+ms.Type+" needs sql")
		}
	case "":
		return memberErr(node, c.Name, "measure", name, "type is required")
	default:
		return memberErr(props.typeAt, c.Name, "measure", name, fmt.Sprintf("unknown type %q (want count, count_distinct, count_distinct_approx, sum, avg, min, max or number)", ms.Type))
	}
	if ms.Type == MeasureNumber && len(ms.Filters) > 0 {
		return memberErr(node, c.Name, "measure", name, "filters apply to aggregating measures, not to type number")
	}
	c.Measures = append(c.Measures, ms)
	c.members[name] = ms
	return nil
}

func (c *Cube) addDimension(node *yaml.Node) error {
	name, err := c.addMember(node, "dimension")
	if err != nil {
		return err
	}
	d := &Dimension{Cube: c, Name: name, Line: node.Line}
	var props memberProps
	err = c.memberKeys(node, "dimension", name, &props, []string{"case", "sub_query"},
		func(key string, v *yaml.Node) (bool, error) {
			if key != "primary_key" {
				return false, nil
			}
			var err error
			d.PrimaryKey, err = boolean(v, c.Name, "dimension", name, key)
			return true, err
		})
	if err != nil {
		return err
	}
	d.Type, d.SQL, d.Title, d.Description, d.Format = props.typ, props.sql, props.title, props.description, props.format
	switch d.Type {
	case DimensionString, DimensionNumber, DimensionTime, DimensionBoolean:
	case "":
		return memberErr(node, c.Name, "dimension", name, "type is required")
	default:
		return memberErr(props.typeAt, c.Name, "dimension", name, fmt.Sprintf("unknown type %q (want string, number, time or boolean)", d.Type))
	}
	if d.SQL == "" {
		return memberErr(node, c.Name, "dimension", name, "sql is required")
	}
	c.Dimensions = append(c.Dimensions, d)
	c.members[name] = d
	return nil
}

func nameOf(node *yaml.Node, kind, cube string) (string, error) {
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == "name" {
			v := node.Content[i+1]
			if v.Kind != yaml.ScalarNode || !identifier.MatchString(v.Value) || len(v.Value) > 128 {
				return "", &ModelError{Line: v.Line, Cube: cube, Msg: fmt.Sprintf("%s name %q must be a letter or _ followed by letters, digits or _ (at most 128)", kind, v.Value)}
			}
			return v.Value, nil
		}
	}
	return "", &ModelError{Line: node.Line, Cube: cube, Msg: "a " + kind + " needs a name"}
}

// eachKey calls fn for every key of a mapping node, in order.
func eachKey(node *yaml.Node, cube string, fn func(key string, k, v *yaml.Node) error) error {
	if node.Kind != yaml.MappingNode {
		return &ModelError{Line: node.Line, Cube: cube, Msg: "expected a mapping"}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], node.Content[i+1]
		if seen[k.Value] {
			return &ModelError{Line: k.Line, Cube: cube, Msg: fmt.Sprintf("key %q appears twice", k.Value)}
		}
		seen[k.Value] = true
		if err := fn(k.Value, k, v); err != nil {
			return err
		}
	}
	return nil
}

func eachItem(node *yaml.Node, cube string, fn func(*yaml.Node) error) error {
	if node.Kind == yaml.ScalarNode && node.Tag == "!!null" {
		return nil
	}
	if node.Kind != yaml.SequenceNode {
		return &ModelError{Line: node.Line, Cube: cube, Msg: "expected a list"}
	}
	for _, item := range node.Content {
		if err := fn(item); err != nil {
			return err
		}
	}
	return nil
}

func scalar(v *yaml.Node, cube, kind, member, key string) (string, error) {
	if v.Kind != yaml.ScalarNode {
		return "", memberErr(v, cube, kind, member, key+" must be a string")
	}
	return v.Value, nil
}

func sqlScalar(v *yaml.Node, cube, kind, member, key string) (string, error) {
	s, err := scalar(v, cube, kind, member, key)
	if err != nil {
		return "", err
	}
	if len(s) > maxSQLFragment {
		return "", memberErr(v, cube, kind, member, fmt.Sprintf("%s is longer than %d bytes", key, maxSQLFragment))
	}
	// A semicolon would end the statement the fragment is placed in.
	if strings.ContainsRune(s, ';') {
		return "", memberErr(v, cube, kind, member, key+" must not contain ';'")
	}
	return strings.TrimSpace(s), nil
}

func boolean(v *yaml.Node, cube, kind, member, key string) (bool, error) {
	var b bool
	if v.Kind != yaml.ScalarNode || v.Decode(&b) != nil {
		return false, memberErr(v, cube, kind, member, key+" must be true or false")
	}
	return b, nil
}

func memberErr(at *yaml.Node, cube, kind, member, msg string) error {
	return &ModelError{Line: at.Line, Cube: cube, Kind: kind, Member: member, Msg: msg}
}
