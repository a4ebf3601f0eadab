package sqlguard

import (
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	// The parser needs a value driver to build literals; this is the one the
	// parser's own tests (and sqlc) use.
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"
)

// mysqlModes are the SQL modes every statement is parsed under. A server's
// sql_mode changes where strings end: NO_BACKSLASH_ESCAPES makes 'a\' a whole
// string, and ANSI_QUOTES makes "a\" an identifier. The guard does not know
// the source's mode, so a statement passes only if it is one read-only
// statement under all of them.
var mysqlModes = []mysql.SQLMode{
	0,
	mysql.ModeNoBackslashEscapes,
	mysql.ModeANSIQuotes,
	mysql.ModeNoBackslashEscapes | mysql.ModeANSIQuotes,
}

// checkMySQL classifies sql with TiDB's MySQL grammar, for MySQL and MariaDB.
//
// MariaDB syntax that grammar cannot parse is refused as "could not parse",
// which is the safe direction but refuses some real reads: VALUES (1), (2)
// (TiDB wants VALUES ROW(1)), JSON_TABLE, FOR SYSTEM_TIME AS OF, PREVIOUS
// VALUE FOR, SELECT ... INTO @var and INTO DUMPFILE, PROCEDURE ANALYSE.
func checkMySQL(sql string) error {
	// MySQL and MariaDB run the text of /*! ... */ comments (MariaDB also
	// /*M! ... */) depending on the server's version, and TiDB reads
	// /*T! ... */; the parser cannot know which the source will run, so a
	// statement with any of them is refused.
	for _, open := range []string{"/*!", "/*M!", "/*m!", "/*T!", "/*t!"} {
		if strings.Contains(sql, open) {
			return refusef("executable comments (%s ... */) are not allowed", open)
		}
	}
	for _, mode := range mysqlModes {
		p := parser.New()
		base, _ := mysql.GetSQLMode(mysql.DefaultSQLMode)
		p.SetSQLMode(base | mode)
		stmts, _, err := p.Parse(sql, "", "")
		if err != nil {
			return refusef("could not parse: %s", mysqlErrorText(err))
		}
		if len(stmts) != 1 {
			return countStatements(len(stmts))
		}
		if err := checkMySQLStatement(stmts[0]); err != nil {
			return err
		}
	}
	return nil
}

// mysqlErrorText words the parser's terse "line 1 column 22 near ..." as a
// syntax error.
func mysqlErrorText(err error) string {
	msg := strings.TrimSpace(err.Error())
	if strings.HasPrefix(msg, "line ") {
		msg = "syntax error at " + msg
	}
	return msg
}

// checkMySQLStatement accepts SELECT (also TABLE and VALUES statements), set
// operations, SHOW, and EXPLAIN/DESCRIBE without ANALYZE of one of those.
func checkMySQLStatement(stmt ast.StmtNode) error {
	switch n := stmt.(type) {
	case *ast.SelectStmt, *ast.SetOprStmt:
		return walkMySQL(n)
	case *ast.ShowStmt:
		return walkMySQL(n)
	case *ast.ExplainStmt:
		if n.Analyze {
			return refusef("EXPLAIN ANALYZE executes the statement")
		}
		return checkMySQLStatement(n.Stmt)
	case *ast.InsertStmt:
		if n.IsReplace {
			return refusef("REPLACE statements write")
		}
		return refusef("INSERT statements write")
	case *ast.UpdateStmt:
		return refusef("UPDATE statements write")
	case *ast.DeleteStmt:
		return refusef("DELETE statements write")
	case *ast.LoadDataStmt:
		return refusef("LOAD DATA statements write")
	case *ast.SetStmt:
		return refusef("SET statements change settings")
	case *ast.BeginStmt, *ast.CommitStmt, *ast.RollbackStmt, *ast.SavepointStmt:
		return refusef("transaction control is not allowed")
	case nil:
		return refusef("empty statement; send one")
	}
	return refusef("%s statements are not read-only queries", mysqlStatementWords(stmt))
}

// mysqlStatementWords names a statement kind from its AST type:
// *ast.CreateTableStmt is CREATE TABLE.
func mysqlStatementWords(stmt ast.StmtNode) string {
	return statementWords(strings.TrimPrefix(fmt.Sprintf("%T", stmt), "*ast."))
}

// mysqlWalker visits every node of a statement and keeps the first refusal.
type mysqlWalker struct {
	root ast.Node
	err  error
}

// walkMySQL refuses anything in a read-only statement's tree that writes,
// locks, or calls a refused function, however deeply it is nested.
func walkMySQL(n ast.Node) error {
	w := &mysqlWalker{root: n}
	n.Accept(w)
	return w.err
}

// Enter implements ast.Visitor.
func (w *mysqlWalker) Enter(n ast.Node) (ast.Node, bool) {
	if w.err != nil {
		return n, true
	}
	switch n := n.(type) {
	case *ast.SelectStmt:
		if n.SelectIntoOpt != nil {
			w.err = selectIntoReason(n.SelectIntoOpt.Tp)
		} else if n.LockInfo != nil && n.LockInfo.LockType != ast.SelectLockNone {
			w.err = refusef("%s takes row locks", strings.ToUpper(n.LockInfo.LockType.String()))
		}
	case *ast.FuncCallExpr:
		w.err = mysqlCallRefusal(n)
	case *ast.VariableExpr:
		if n.IsSystem && n.Value != nil {
			w.err = refusef("assigning system variable %s changes settings", n.Name)
		}
	case ast.StmtNode:
		// Subqueries are SelectStmt or SetOprStmt; any other statement
		// nested in a query is refused rather than trusted.
		if _, ok := n.(*ast.SetOprStmt); !ok && ast.Node(n) != w.root {
			w.err = refusef("%s inside a query is not allowed", mysqlStatementWords(n))
		}
	}
	return n, w.err != nil
}

// Leave implements ast.Visitor.
func (w *mysqlWalker) Leave(n ast.Node) (ast.Node, bool) { return n, w.err == nil }

// selectIntoReason words each kind of SELECT ... INTO.
func selectIntoReason(tp ast.SelectIntoType) error {
	switch tp {
	case ast.SelectIntoOutfile:
		return refusef("SELECT ... INTO OUTFILE writes a file")
	case ast.SelectIntoDumpfile:
		return refusef("SELECT ... INTO DUMPFILE writes a file")
	default:
		return refusef("SELECT ... INTO writes variables")
	}
}

// mysqlCallRefusal refuses a call that is not on mysqlAllowed: a denied
// function keeps its own reason, a stored function (db.f()) or any other
// unknown name is refused as not allowed.
func mysqlCallRefusal(n *ast.FuncCallExpr) error {
	if why := mysqlFuncs.refusal(n.FnName.L); why != "" {
		return refusef("%s", why)
	}
	if n.Schema.L != "" {
		return refusef("function %s.%s is not on the allowlist of read-only functions: only built-in functions may be called", n.Schema.O, n.FnName.O)
	}
	if !mysqlAllowed[n.FnName.L] {
		return refusef("function %s is not on the allowlist of read-only functions", n.FnName.L)
	}
	return nil
}
