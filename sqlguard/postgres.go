package sqlguard

import (
	"errors"
	"strconv"
	"strings"
	"unicode"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	pgparser "github.com/pganalyze/pg_query_go/v6/parser"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// checkPostgres classifies sql with Postgres's own grammar (libpg_query), which
// also serves Redshift: Redshift-only syntax the Postgres grammar cannot parse
// is refused.
func checkPostgres(sql string, redshift bool) error {
	if err := checkPgTokens(sql); err != nil {
		return err
	}
	tree, err := pg_query.Parse(sql)
	if err != nil {
		return refusef("could not parse: %s", pgErrorText(err))
	}
	if n := len(tree.GetStmts()); n != 1 {
		return countStatements(n)
	}
	return checkPgStatement(tree.GetStmts()[0].GetStmt(), redshift)
}

// pgErrorText adds the error position, which libpg_query keeps apart from its
// message, so the reason says where the parser stopped.
func pgErrorText(err error) string {
	var pe *pgparser.Error
	if errors.As(err, &pe) && pe.Cursorpos > 0 {
		return pe.Message + " at character " + strconv.Itoa(pe.Cursorpos)
	}
	return err.Error()
}

// checkPgStatement accepts the statement kinds that only read: SELECT (which
// in the parse tree also covers VALUES, TABLE and set operations), SHOW, and
// EXPLAIN without ANALYZE of a statement that itself passes.
func checkPgStatement(stmt *pg_query.Node, redshift bool) error {
	switch n := stmt.GetNode().(type) {
	case *pg_query.Node_SelectStmt:
		return walkPg(n.SelectStmt.ProtoReflect(), redshift)
	case *pg_query.Node_VariableShowStmt:
		return nil
	case *pg_query.Node_ExplainStmt:
		for _, opt := range n.ExplainStmt.GetOptions() {
			// Any ANALYZE option is refused, even "ANALYZE false": the
			// simple rule is the one that cannot be got wrong.
			if d := opt.GetDefElem(); d != nil && strings.EqualFold(d.GetDefname(), "analyze") {
				return refusef("EXPLAIN ANALYZE executes the statement")
			}
		}
		return checkPgStatement(n.ExplainStmt.GetQuery(), redshift)
	}
	if stmt == nil || stmt.GetNode() == nil {
		return refusef("empty statement; send one")
	}
	return refusef("%s", pgStatementReason(stmt))
}

// walkPg visits every message in a SELECT's parse tree and refuses the first
// construct that writes, locks or calls a refused function, however deeply it
// is nested (a data-modifying CTE inside a subquery inside a CTE is still
// found). Function calls, operators and TABLESAMPLE methods must be on the
// dialect's allowlist (allow_postgres.go; Redshift adds its own functions).
// Walking the generic protobuf tree rather than named fields means a
// node kind added by a newer grammar is still visited.
func walkPg(m protoreflect.Message, redshift bool) error {
	switch n := m.Interface().(type) {
	case *pg_query.InsertStmt:
		return refusef("data-modifying WITH clause (INSERT)")
	case *pg_query.UpdateStmt:
		return refusef("data-modifying WITH clause (UPDATE)")
	case *pg_query.DeleteStmt:
		return refusef("data-modifying WITH clause (DELETE)")
	case *pg_query.MergeStmt:
		return refusef("data-modifying WITH clause (MERGE)")
	case *pg_query.IntoClause:
		return refusef("SELECT ... INTO writes a table")
	case *pg_query.LockingClause:
		return refusef("%s takes row locks", lockStrength(n.GetStrength()))
	case *pg_query.FuncCall:
		if err := pgCallRefusal(n, redshift); err != nil {
			return err
		}
	case *pg_query.A_Expr:
		if err := pgExprRefusal(n); err != nil {
			return err
		}
	case *pg_query.SubLink:
		if err := pgOperatorRefusal(n.GetOperName()); err != nil {
			return err
		}
	case *pg_query.RangeTableSample:
		if err := pgSampleRefusal(n); err != nil {
			return err
		}
	case *pg_query.SelectStmt:
		// Allowed; its children are visited below.
	default:
		// No other statement can be nested in a SELECT today; if a later
		// grammar allows one, refuse it rather than trust it.
		if name := string(m.Descriptor().Name()); strings.HasSuffix(name, "Stmt") {
			return refusef("%s inside a query is not allowed", statementWords(name))
		}
	}
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.Message() == nil || fd.IsMap():
			// Scalars and enums carry no nested statements or calls.
		case fd.IsList():
			list := v.List()
			for i := 0; i < list.Len() && err == nil; i++ {
				err = walkPg(list.Get(i).Message(), redshift)
			}
		default:
			err = walkPg(v.Message(), redshift)
		}
		return err == nil
	})
	return err
}

// lockStrength names a locking clause as it is written.
func lockStrength(s pg_query.LockClauseStrength) string {
	switch s {
	case pg_query.LockClauseStrength_LCS_FORKEYSHARE:
		return "FOR KEY SHARE"
	case pg_query.LockClauseStrength_LCS_FORSHARE:
		return "FOR SHARE"
	case pg_query.LockClauseStrength_LCS_FORNOKEYUPDATE:
		return "FOR NO KEY UPDATE"
	default:
		return "FOR UPDATE"
	}
}

// pgStatementReason explains why a top-level statement kind is refused.
func pgStatementReason(stmt *pg_query.Node) string {
	switch n := stmt.GetNode().(type) {
	case *pg_query.Node_InsertStmt:
		return "INSERT statements write"
	case *pg_query.Node_UpdateStmt:
		return "UPDATE statements write"
	case *pg_query.Node_DeleteStmt:
		return "DELETE statements write"
	case *pg_query.Node_MergeStmt:
		return "MERGE statements write"
	case *pg_query.Node_TransactionStmt:
		kind := strings.TrimPrefix(n.TransactionStmt.GetKind().String(), "TRANS_STMT_")
		switch kind {
		case "START", "PREPARE":
			kind += " TRANSACTION"
		}
		return "transaction control (" + strings.ReplaceAll(kind, "_", " ") + ") is not allowed"
	case *pg_query.Node_VariableSetStmt:
		if strings.HasPrefix(n.VariableSetStmt.GetKind().String(), "VAR_RESET") {
			return "RESET statements change settings"
		}
		return "SET statements change settings"
	case *pg_query.Node_CreateTableAsStmt:
		return "CREATE TABLE AS writes a table"
	}
	name := string(stmt.ProtoReflect().WhichOneof(nodeOneof(stmt)).Message().Name())
	return statementWords(name) + " statements are not read-only queries"
}

// nodeOneof is the oneof every parse-tree Node wraps its content in.
func nodeOneof(n *pg_query.Node) protoreflect.OneofDescriptor {
	return n.ProtoReflect().Descriptor().Oneofs().ByName("node")
}

// statementWords turns a parse-tree type name into the words a person writes:
// "CreateStmt" is CREATE TABLE, "CopyStmt" is COPY, "AlterTableStmt" is ALTER
// TABLE.
func statementWords(typeName string) string {
	if w, ok := statementNames[typeName]; ok {
		return w
	}
	base := strings.TrimSuffix(typeName, "Stmt")
	var b strings.Builder
	for i, r := range base {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// statementNames covers the parse-tree names that do not read as their SQL.
var statementNames = map[string]string{
	"CreateStmt":            "CREATE TABLE",
	"IndexStmt":             "CREATE INDEX",
	"ViewStmt":              "CREATE VIEW",
	"RuleStmt":              "CREATE RULE",
	"DeclareCursorStmt":     "DECLARE CURSOR",
	"CheckPointStmt":        "CHECKPOINT",
	"VacuumStmt":            "VACUUM or ANALYZE",
	"GrantStmt":             "GRANT or REVOKE",
	"ExplainStmt":           "EXPLAIN",
	"VariableShowStmt":      "SHOW",
	"RenameStmt":            "ALTER ... RENAME",
	"RefreshMatViewStmt":    "REFRESH MATERIALIZED VIEW",
	"SecLabelStmt":          "SECURITY LABEL",
	"CreateSeqStmt":         "CREATE SEQUENCE",
	"AlterSeqStmt":          "ALTER SEQUENCE",
	"CreatedbStmt":          "CREATE DATABASE",
	"DropdbStmt":            "DROP DATABASE",
	"CreateTrigStmt":        "CREATE TRIGGER",
	"CreateEventTrigStmt":   "CREATE EVENT TRIGGER",
	"CreatePLangStmt":       "CREATE LANGUAGE",
	"CreateFdwStmt":         "CREATE FOREIGN DATA WRAPPER",
	"CreateStatsStmt":       "CREATE STATISTICS",
	"CompositeTypeStmt":     "CREATE TYPE",
	"CreateEnumStmt":        "CREATE TYPE",
	"CreateRangeStmt":       "CREATE TYPE",
	"DefineStmt":            "CREATE AGGREGATE, OPERATOR or TYPE",
	"ConstraintsSetStmt":    "SET CONSTRAINTS",
	"GrantRoleStmt":         "GRANT or REVOKE ROLE",
	"AlterObjectSchemaStmt": "ALTER ... SET SCHEMA",
	"AlterOwnerStmt":        "ALTER ... OWNER TO",
}
