// Package sqlcols reads column lineage from a SQL statement: which table it
// writes, its output columns, and for each the input columns it is computed
// from and how (identity, transformation, aggregation, or indirect through a
// filter, join, grouping, ordering or condition).
//
// The Postgres dialect (also Redshift, DuckDB and most ANSI SQL) is read
// with Postgres's own grammar (libpg_query), the MySQL dialect (also MariaDB
// and TiDB) with TiDB's parser. Spark SQL and Hive have no grammar of their
// own: their statements are read when one of the two accepts them (Dialect
// Auto tries Postgres, then MySQL).
package sqlcols

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Kind says how an output column is derived from an input column.
type Kind string

// Kinds of derivation, from weakest to strongest: a column that feeds an
// output both directly and through a condition is reported with its direct kind.
const (
	// Indirect: the input column decides which rows or groups there are
	// (WHERE, JOIN ON, GROUP BY, HAVING, ORDER BY, PARTITION BY, CASE WHEN)
	// but its values are not copied.
	Indirect Kind = "indirect"
	// Identity: the value is copied unchanged.
	Identity Kind = "identity"
	// Transformation: the value passes through a function, operator or cast.
	Transformation Kind = "transformation"
	// Aggregation: many input values are combined into one.
	Aggregation Kind = "aggregation"
)

func (k Kind) rank() int {
	switch k {
	case Identity:
		return 1
	case Transformation:
		return 2
	case Aggregation:
		return 3
	}
	return 0
}

// strongest returns the stronger of two kinds.
func strongest(a, b Kind) Kind {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// Dialect names a SQL grammar.
type Dialect string

// Dialects Extract reads.
const (
	// Auto tries Postgres, then MySQL.
	Auto     Dialect = ""
	Postgres Dialect = "postgres"
	MySQL    Dialect = "mysql"
)

// ParseDialect maps a client's dialect name to a Dialect; names of
// databases that speak one of the covered grammars map to it.
func ParseDialect(name string) (Dialect, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "auto", "ansi", "generic", "spark", "sparksql", "hive", "databricks", "trino", "presto", "athena", "bigquery":
		return Auto, nil
	case "postgres", "postgresql", "redshift", "greenplum", "duckdb", "snowflake":
		return Postgres, nil
	case "mysql", "mariadb", "tidb":
		return MySQL, nil
	}
	return Auto, fmt.Errorf("dialect %q is not covered: use postgres or mysql", name)
}

// Bounds of one extraction.
const (
	// MaxStatementBytes is the longest SQL text read (the longest query_str
	// sluice stores).
	MaxStatementBytes = 64 << 10
	// maxNodes bounds the syntax-tree nodes one extraction visits.
	maxNodes = 200_000
	// maxDepth bounds nesting of queries and expressions.
	maxDepth = 200
)

// Errors Extract returns besides the parsers' own.
var (
	ErrTooLarge   = errors.New("statement longer than 64 KiB")
	ErrTooComplex = errors.New("statement too deeply nested or too large to analyse")
	ErrNoLineage  = errors.New("no statement that reads or writes tables")
	// ErrInternal means the analysis itself failed (a bug, caught so a
	// report never fails because of it).
	ErrInternal = errors.New("internal error analysing statement")
)

// Column is a column of a table, named as the SQL names it.
type Column struct {
	Table string `json:"table"`
	Name  string `json:"column"`
}

// Source is an input column of an output column and how it is used.
type Source struct {
	Column
	Kind Kind `json:"kind"`
}

// OutputColumn is one column a statement produces.
type OutputColumn struct {
	Name    string   `json:"name"`
	Sources []Source `json:"sources"`
}

// Statement is the lineage of one SQL statement.
type Statement struct {
	// Output is the table written ("" for a plain SELECT).
	Output  string         `json:"output"`
	Columns []OutputColumn `json:"columns"`
	// Inputs are the tables read, sorted.
	Inputs []string `json:"inputs"`
	// Unresolved lists what could not be attributed: a * over a table of
	// unknown schema, an unqualified column among several such tables.
	Unresolved []string `json:"unresolved,omitempty"`
	// NeedsSchemas says the lineage depends on tables' schemas it was not
	// given (a * to expand, an unqualified column among several tables, an
	// INSERT without a column list): analysed again with them it may say more.
	// Without it, schemas would change nothing.
	NeedsSchemas bool `json:"-"`
}

// SchemaLookup returns the columns of a table, in order, when they are
// known (nil otherwise); it lets * expand.
type SchemaLookup func(table string) []string

// Parsed is a statement text parsed in one dialect, ready to be analysed.
type Parsed struct {
	analyse func(SchemaLookup) ([]Statement, error)
	// uncacheable: each analysis parses again (see parseMySQL).
	uncacheable bool
	// weight is roughly the bytes it holds, for ParseCache's bound.
	weight int
}

// Parse parses sql (at most MaxStatementBytes) in dialect; Auto tries
// Postgres, then MySQL.
func Parse(sql string, dialect Dialect) (p *Parsed, err error) {
	if len(sql) > MaxStatementBytes {
		return nil, ErrTooLarge
	}
	defer func() {
		// A parser bug on hostile input must cost the report its SQL
		// lineage only, never the process.
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("%w: %v", ErrInternal, r)
		}
	}()
	switch dialect {
	case Postgres:
		return parsePostgres(sql)
	case MySQL:
		return parseMySQL(sql)
	}
	p, err = parsePostgres(sql)
	if err != nil {
		if mine, mysqlErr := parseMySQL(sql); mysqlErr == nil {
			return mine, nil
		}
	}
	return p, err
}

// Lineage analyses every statement that writes or reads tables; schemas
// (may be nil) expands * and attributes unqualified columns. Its work is
// bounded by the size of the statement.
func (p *Parsed) Lineage(schemas SchemaLookup) (statements []Statement, err error) {
	if schemas == nil {
		schemas = func(string) []string { return nil }
	}
	defer func() {
		if r := recover(); r != nil {
			statements, err = nil, fmt.Errorf("%w: %v", ErrInternal, r)
		}
	}()
	if statements, err = p.analyse(schemas); err != nil {
		return nil, err
	}
	if len(statements) == 0 {
		return nil, ErrNoLineage
	}
	return statements, nil
}

// Extract parses sql and analyses it: Parse, then Lineage.
func Extract(sql string, dialect Dialect, schemas SchemaLookup) ([]Statement, error) {
	p, err := Parse(sql, dialect)
	if err != nil {
		return nil, err
	}
	return p.Lineage(schemas)
}

// addSource adds s to sources, keeping one entry per column with the
// strongest kind.
func addSource(sources []Source, s Source) []Source {
	for i := range sources {
		if sources[i].Column == s.Column {
			sources[i].Kind = strongest(sources[i].Kind, s.Kind)
			return sources
		}
	}
	return append(sources, s)
}

// mergeSources adds every source of more to sources.
func mergeSources(sources, more []Source) []Source {
	for _, s := range more {
		sources = addSource(sources, s)
	}
	return sources
}

// promote marks sources as passing through a derivation of kind k: direct
// sources take the stronger kind, indirect ones stay indirect.
func promote(sources []Source, k Kind) []Source {
	for i := range sources {
		if sources[i].Kind != Indirect {
			sources[i].Kind = strongest(sources[i].Kind, k)
		}
	}
	return sources
}

// asIndirect marks every source indirect.
func asIndirect(sources []Source) []Source {
	for i := range sources {
		sources[i].Kind = Indirect
	}
	return sources
}

// finish sorts a statement's sources and inputs and drops the sources that
// name the written table itself (MERGE and upserts read the row they replace).
func finish(st Statement, inputs map[string]bool) Statement {
	delete(inputs, st.Output)
	st.Inputs = make([]string, 0, len(inputs))
	for t := range inputs {
		st.Inputs = append(st.Inputs, t)
	}
	slices.Sort(st.Inputs)
	for i := range st.Columns {
		st.Columns[i].Sources = slices.DeleteFunc(st.Columns[i].Sources, func(s Source) bool {
			return st.Output != "" && s.Table == st.Output
		})
		slices.SortFunc(st.Columns[i].Sources, func(a, b Source) int {
			return cmp.Or(strings.Compare(a.Table, b.Table), strings.Compare(a.Name, b.Name))
		})
		if st.Columns[i].Sources == nil {
			st.Columns[i].Sources = []Source{}
		}
	}
	slices.Sort(st.Unresolved)
	st.Unresolved = slices.Compact(st.Unresolved)
	return st
}
