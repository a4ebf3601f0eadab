package semantic

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

func (c *Cube) addSegment(node *yaml.Node) error {
	name, err := c.addMember(node, "segment")
	if err != nil {
		return err
	}
	s := &Segment{Cube: c, Name: name, Line: node.Line}
	err = eachKey(node, c.Name, func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "name", "description", "public", "shown", "meta":
		case "sql":
			s.SQL, err = sqlScalar(v, c.Name, "segment", name, key)
		case "title":
			s.Title, err = scalar(v, c.Name, "segment", name, key)
		default:
			err = memberErr(k, c.Name, "segment", name, fmt.Sprintf("unknown key %q", key))
		}
		return err
	})
	if err != nil {
		return err
	}
	if s.SQL == "" {
		return memberErr(node, c.Name, "segment", name, "sql is required")
	}
	c.Segments = append(c.Segments, s)
	c.members[name] = s
	return nil
}

// relationships maps every spelling Cube has accepted to the current one.
var relationships = map[string]string{
	"one_to_one": OneToOne, "has_one": OneToOne, "hasOne": OneToOne, "oneToOne": OneToOne,
	"one_to_many": OneToMany, "has_many": OneToMany, "hasMany": OneToMany, "oneToMany": OneToMany,
	"many_to_one": ManyToOne, "belongs_to": ManyToOne, "belongsTo": ManyToOne, "manyToOne": ManyToOne,
}

func (c *Cube) addJoin(node *yaml.Node) error {
	if node.Kind != yaml.MappingNode {
		return &ModelError{Line: node.Line, Cube: c.Name, Msg: "a join must be a mapping"}
	}
	to, err := nameOf(node, "join", c.Name)
	if err != nil {
		return err
	}
	j := &Join{From: c, To: to, Line: node.Line}
	var rel string
	err = eachKey(node, c.Name, func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "name":
		case "sql":
			j.SQL, err = sqlScalar(v, c.Name, "join", to, key)
		case "relationship":
			rel, err = scalar(v, c.Name, "join", to, key)
		default:
			err = memberErr(k, c.Name, "join", to, fmt.Sprintf("unknown key %q", key))
		}
		return err
	})
	if err != nil {
		return err
	}
	if j.Relationship = relationships[rel]; j.Relationship == "" {
		return memberErr(node, c.Name, "join", to, fmt.Sprintf("relationship %q is not one of one_to_one, one_to_many, many_to_one", rel))
	}
	if j.SQL == "" {
		return memberErr(node, c.Name, "join", to, "sql is required")
	}
	for _, other := range c.Joins {
		if other.To == to {
			return memberErr(node, c.Name, "join", to, "joined twice")
		}
	}
	c.Joins = append(c.Joins, j)
	return nil
}

// filterSQL reads one entry of a measure's filters: {sql: ...}.
func filterSQL(node *yaml.Node, cube, member string) (string, error) {
	if node.Kind != yaml.MappingNode || len(node.Content) != 2 || node.Content[0].Value != "sql" {
		return "", memberErr(node, cube, "measure", member, "each filter must be a mapping with only sql")
	}
	return sqlScalar(node.Content[1], cube, "measure", member, "filters.sql")
}
