package sqlcols

import "errors"

// parseMySQL parses sql with the MySQL grammar.
func parseMySQL(sql string) (*Parsed, error) {
	return nil, errors.New("the mysql dialect is not covered yet")
}
