package sqlguard

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// pgCallRefusal refuses a function call that is not on postgresAllowed. A
// function the deny list knows keeps its own reason ("function pg_sleep
// sleeps"); any other unknown function is refused as not allowed, so the
// guard does not have to know what a function does to keep it out. On
// Redshift its own built-ins (redshiftAllowed) are allowed too.
func pgCallRefusal(n *pg_query.FuncCall, redshift bool) error {
	schema, name := qualifiedName(n.GetFuncname())
	if why := postgresFuncs.refusal(name); why != "" {
		return refusef("%s", why)
	}
	if schema != "" && schema != "pg_catalog" {
		return refusef("function %s.%s is not on the allowlist of read-only functions: only built-in functions (unqualified or in pg_catalog) may be called", schema, name)
	}
	if !postgresAllowed[name] && !(redshift && redshiftAllowed[name]) {
		return refusef("function %s is not on the allowlist of read-only functions", name)
	}
	return nil
}

// pgOperatorRefusal refuses an operator that is not a built-in one. An
// operator is a function call written as a symbol: OPERATOR(public.===)
// could call anything its author chose.
func pgOperatorRefusal(names []*pg_query.Node) error {
	if len(names) == 0 {
		return nil
	}
	schema, op := qualifiedName(names)
	if schema != "" && schema != "pg_catalog" {
		return refusef("operator %s.%s is not on the allowlist of read-only operators: only built-in operators may be used", schema, op)
	}
	if !postgresOperators[op] {
		return refusef("operator %s is not on the allowlist of read-only operators", op)
	}
	return nil
}

// pgExprRefusal checks the operator of an A_Expr. BETWEEN and its relatives
// name a keyword there, not an operator.
func pgExprRefusal(n *pg_query.A_Expr) error {
	switch n.GetKind() {
	case pg_query.A_Expr_Kind_AEXPR_BETWEEN, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN,
		pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
		return nil
	}
	return pgOperatorRefusal(n.GetName())
}

// pgSampleRefusal allows the two built-in TABLESAMPLE methods; another
// method is an extension's function.
func pgSampleRefusal(n *pg_query.RangeTableSample) error {
	schema, name := qualifiedName(n.GetMethod())
	if (schema == "" || schema == "pg_catalog") && postgresTableSamples[name] {
		return nil
	}
	return refusef("TABLESAMPLE method %s is not on the allowlist (BERNOULLI, SYSTEM)", name)
}

// qualifiedName splits a parsed name list into its schema (empty when
// unqualified) and final part. Names are as the parser read them: unquoted
// ones already in lower case, quoted ones exactly as written.
func qualifiedName(parts []*pg_query.Node) (schema, name string) {
	if len(parts) == 0 {
		return "", ""
	}
	name = parts[len(parts)-1].GetString_().GetSval()
	if len(parts) > 1 {
		quals := make([]string, 0, len(parts)-1)
		for _, p := range parts[:len(parts)-1] {
			quals = append(quals, p.GetString_().GetSval())
		}
		schema = strings.Join(quals, ".")
	}
	return schema, name
}
