package sqlguard

import "strings"

// rules is what the conservative classifier refuses in one dialect.
//
// SQL Server, BigQuery, Snowflake and DuckDB have no SQL parser in Go that the
// guard could trust, so for them it does not parse: it tokenizes, checks the
// statement count and the first keyword, and refuses any statement in which a
// keyword that writes, locks or changes state appears anywhere outside
// strings, quoted identifiers and comments. That refuses some reads (a column
// named load must be quoted as "load"), which is the right way to be wrong.
type rules struct {
	// starts are the keywords a statement may begin with.
	starts map[string]bool
	// deny maps keywords to why they are refused.
	deny map[string]string
	// functions are denied keywords that are harmless functions when a "("
	// follows, and that no statement ever follows with "(".
	functions map[string]bool
	funcs     funcDeny
	// allowed, when set, is the dialect's allowlist of functions, and
	// notCalls the words its grammar follows with "(" without calling one
	// (see callRefusal).
	allowed, notCalls map[string]bool
	// fileScans refuses FROM 'file.csv' and FROM "file.csv", and the same
	// after each of fileScanWords: DuckDB reads a file named where a table
	// should be.
	fileScans bool
}

// fileScanWords are the words after which DuckDB takes a table name, and so
// reads a file named there instead: DESCRIBE '/etc/passwd' and SUMMARIZE
// 'x.csv' read the file as surely as FROM does.
var fileScanWords = map[string]bool{
	"FROM": true, "JOIN": true, "DESCRIBE": true, "DESC": true, "SUMMARIZE": true, "SHOW": true,
}

// checkTokens applies r to sql as lx splits it.
func checkTokens(lx *lexer, r *rules, sql string) error {
	toks, err := lx.tokens(sql)
	if err != nil {
		return refusef("could not parse: %s", err)
	}
	if err := oneStatement(toks); err != nil {
		return err
	}
	first := firstWord(toks)
	if !r.starts[first] {
		if why := r.deny[first]; why == kwWrites {
			return refusef("%s statements write", first)
		}
		if first == "" {
			return refusef("statement does not start with a keyword; send SELECT, WITH, VALUES, SHOW, DESCRIBE or EXPLAIN")
		}
		if _, denied := r.deny[first]; !denied {
			if err := typoOfStart(first, r); err != nil {
				return err
			}
		}
		return refusef("%s statements are not read-only queries", first)
	}
	for i, t := range toks {
		next := tokenAt(toks, i+1)
		call := next.kind == tokPunct && next.text == "("
		if t.kind == tokQuoted && call {
			// "query"('...') calls query: a quoted name is still the
			// function's name (DuckDB, Snowflake and SQL Server fold or
			// match it like the unquoted one).
			if why := r.funcs.refusal(quotedName(t.text)); why != "" {
				return refusef("%s", why)
			}
			if err := r.callRefusal(toks, i, quotedName(t.text)); err != nil {
				return err
			}
		}
		if t.kind != tokWord {
			continue
		}
		switch {
		case first == "EXPLAIN" && (t.text == "ANALYZE" || t.text == "ANALYSE"):
			return refusef("EXPLAIN ANALYZE executes the statement")
		case t.text == "FOR" && next.kind == tokWord && (next.text == "UPDATE" || next.text == "SHARE"):
			return refusef("FOR %s takes row locks", next.text)
		case t.text == "NEXT" && next.kind == tokWord && next.text == "VALUE":
			return refusef("NEXT VALUE FOR %s", whySequence)
		case r.fileScans && fileScanWords[t.text] &&
			(next.kind == tokString || next.kind == tokQuoted && strings.ContainsAny(next.text, "./:\\")):
			return refusef("%s with a file name reads the file, which %s", t.text, whyOutside)
		}
		if call {
			if why := r.funcs.refusal(t.text); why != "" {
				return refusef("%s", why)
			}
			if err := r.callRefusal(toks, i, t.text); err != nil {
				return err
			}
			if r.functions[t.text] {
				continue
			}
		}
		if why, ok := r.deny[t.text]; ok {
			return refusef("%s %s", t.text, why)
		}
	}
	return nil
}

// oneStatement allows one statement with at most one trailing semicolon.
func oneStatement(toks []token) error {
	statements, semicolons, empty := 0, 0, true
	for _, t := range toks {
		if t.kind == tokPunct && t.text == ";" {
			semicolons++
			empty = true
			continue
		}
		if empty {
			statements++
			empty = false
		}
	}
	switch {
	case statements != 1:
		return countStatements(statements)
	case semicolons > 1 || semicolons == 1 && !(toks[len(toks)-1].kind == tokPunct && toks[len(toks)-1].text == ";"):
		return refusef("empty statements between semicolons; send one statement")
	}
	return nil
}

// firstWord returns the statement's first word, looking past opening
// parentheses, as in (SELECT 1) UNION (SELECT 2).
func firstWord(toks []token) string {
	for _, t := range toks {
		if t.kind == tokPunct && t.text == "(" {
			continue
		}
		if t.kind == tokWord {
			return t.text
		}
		return ""
	}
	return ""
}

// tokenAt returns toks[i], or a zero token past the end.
func tokenAt(toks []token, i int) token {
	if i < len(toks) {
		return toks[i]
	}
	return token{kind: tokPunct}
}

// Why keywords are refused. Each completes "<KEYWORD> ...".
const (
	kwWrites  = "writes"
	kwChanges = "changes the schema, settings or session"
	kwLocks   = "takes locks"
	kwRuns    = "runs other statements or procedures"
	kwFiles   = "moves data in or out of the database"
	kwTx      = "controls transactions"
)

// commonDeny are the keywords every classified dialect refuses.
var commonDeny = map[string]string{
	"INSERT": kwWrites, "UPDATE": kwWrites, "DELETE": kwWrites, "MERGE": kwWrites,
	"UPSERT": kwWrites, "TRUNCATE": kwWrites, "INTO": "writes a table (SELECT ... INTO)",
	"DROP": kwChanges, "CREATE": kwChanges, "ALTER": kwChanges, "RENAME": kwChanges,
	"UNDROP": kwChanges, "GRANT": kwChanges, "REVOKE": kwChanges, "SET": kwChanges,
	"RESET": kwChanges, "UNSET": kwChanges, "USE": kwChanges, "DECLARE": kwChanges,
	"ATTACH": kwChanges, "DETACH": kwChanges, "INSTALL": kwChanges, "PRAGMA": kwChanges,
	"OPTIMIZE": kwChanges, "VACUUM": kwChanges, "CHECKPOINT": kwChanges,
	"ANALYZE": kwChanges, "ANALYSE": kwChanges,
	"CALL": kwRuns, "EXEC": kwRuns, "EXECUTE": kwRuns,
	"COPY": kwFiles, "PUT": kwFiles, "UNLOAD": kwFiles, "LOAD": kwFiles,
	"EXPORT": kwFiles, "IMPORT": kwFiles,
	"BEGIN": kwTx, "COMMIT": kwTx, "ROLLBACK": kwTx, "SAVEPOINT": kwTx,
	"LOCK": kwLocks,
}

// readStarts are the keywords a read may begin with in every dialect.
var readStarts = []string{"SELECT", "WITH", "VALUES", "SHOW", "DESCRIBE", "DESC", "EXPLAIN"}

// newRules builds a dialect's rules from the common ones and its own.
func newRules(extraStarts []string, extraDeny map[string]string, functions []string, funcs funcDeny) *rules {
	r := &rules{starts: map[string]bool{}, deny: map[string]string{}, functions: map[string]bool{}, funcs: funcs}
	for _, w := range append(append([]string{}, readStarts...), extraStarts...) {
		r.starts[w] = true
	}
	for w, why := range commonDeny {
		r.deny[w] = why
	}
	for w, why := range extraDeny {
		r.deny[w] = why
	}
	for _, w := range functions {
		r.functions[strings.ToUpper(w)] = true
	}
	return r
}

// quotedName is the name a quoted identifier token spells: its delimiters
// removed, a doubled closing delimiter read as one, and of a dotted path
// ("main.query", `proj.ds.fn`) the last part. A backslash (BigQuery's escape
// in backticks) is kept, so such a name matches no function and is not
// trusted to be one either way.
func quotedName(text string) string {
	if len(text) < 2 {
		return text
	}
	closer := text[len(text)-1:]
	name := strings.ReplaceAll(text[1:len(text)-1], closer+closer, closer)
	if i := strings.LastIndexByte(name, '.'); i >= 0 && text[0] == '`' {
		name = name[i+1:]
	}
	return name
}
