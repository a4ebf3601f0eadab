package sqlcols

import "errors"

// extractMySQL reads sql with the MySQL grammar.
func extractMySQL(sql string, schemas SchemaLookup) ([]Statement, error) {
	return nil, errors.New("the mysql dialect is not covered yet")
}
