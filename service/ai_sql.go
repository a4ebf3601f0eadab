package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/embeddings"
	"github.com/sluice-dev/sluice/llm"
	"github.com/sluice-dev/sluice/sqlguard"
)

// aiContextTables is how many of the best-matching tables a prompt describes.
const aiContextTables = 6

// AISQLRequest asks for a SQL draft answering a question.
type AISQLRequest struct {
	Question string
	// Execute runs the draft under /scan's guard and limits.
	Execute bool
	// Limit is the row limit when executing (the scan default when 0).
	Limit int
}

// AISQLResult is a SQL draft and, when asked, its rows.
type AISQLResult struct {
	SQL         string
	TablesUsed  []string
	Explanation string
	Dialect     connectors.Dialect
	Model       string
	// Refusal is why the read-only guard refused the draft; it was not run.
	Refusal string
	// Result holds the rows when the draft was executed.
	Result *QueryResult
	// ExecutionError is the source's message when the draft failed to run.
	ExecutionError string
}

// SchemaContext is what AI SQL retrieves for a question: the dialect and
// the best-matching tables with their columns. It is returned on its own
// when no LLM is configured, so a person can use it elsewhere.
type SchemaContext struct {
	Dialect connectors.Dialect `json:"dialect"`
	Tables  []ContextTable     `json:"tables"`
	// Prompt is the text the LLM would have been sent.
	Prompt string `json:"prompt"`
}

// ContextTable is one retrieved table.
type ContextTable struct {
	Table  string  `json:"table"`
	Score  float64 `json:"score"`
	Schema string  `json:"schema"`
}

// NotConfiguredError means a feature needs something the operator has not
// configured; Context carries what can be given without it.
type NotConfiguredError struct {
	What    string
	Context any
}

func (e *NotConfiguredError) Error() string { return e.What }

// GenerateSQL drafts a query for a plain-words question: it retrieves the
// connection's best-matching tables by embedding, asks the configured chat
// model for one read-only statement in the connection's dialect, and checks
// the draft with the read-only guard. A refused draft is returned with the
// refusal and never run; an accepted one runs like /scan when asked.
func (s *Service) GenerateSQL(ctx context.Context, teamID, id uuid.UUID, req AISQLRequest) (AISQLResult, error) {
	question := strings.TrimSpace(req.Question)
	switch {
	case question == "":
		return AISQLResult{}, &InputError{Field: "question", Problem: "is required"}
	case utf8.RuneCountInString(question) > maxQuestionLength:
		return AISQLResult{}, &InputError{Field: "question", Problem: fmt.Sprintf("is longer than %d characters", maxQuestionLength)}
	case req.Limit < 0 || req.Limit > s.opts.ScanMaxRows:
		return AISQLResult{}, &InputError{Field: "limit", Problem: fmt.Sprintf("must be between 1 and %d", s.opts.ScanMaxRows)}
	}
	sc, err := s.schemaContext(ctx, teamID, id, question)
	if err != nil {
		return AISQLResult{}, err
	}
	if !s.opts.LLM.Configured() {
		return AISQLResult{}, &NotConfiguredError{What: "no LLM is configured on this server (SLUICE_LLM_BASE_URL, SLUICE_LLM_MODEL); the schema context below is what it would have been given", Context: sc}
	}
	client, err := llm.New(s.opts.LLM)
	if err != nil {
		return AISQLResult{}, err
	}
	answer, err := client.Complete(ctx, []llm.Message{{Role: "system", Content: systemPrompt(sc.Dialect)}, {Role: "user", Content: sc.Prompt}})
	if err != nil {
		return AISQLResult{}, fmt.Errorf("ask the LLM: %w: %v", ErrUnavailable, err)
	}
	sql, explanation := llm.ExtractSQL(answer)
	out := AISQLResult{SQL: sql, Explanation: explanation, Dialect: sc.Dialect, Model: client.Model(), TablesUsed: tablesUsed(sql, sc.Tables)}
	if sql == "" {
		out.Refusal = "the model's answer holds no SQL statement"
		return out, nil
	}
	if err := sqlguard.Check(sc.Dialect, sql); err != nil {
		out.Refusal = err.Error()
		return out, nil
	}
	if !req.Execute {
		return out, nil
	}
	res, err := s.Scan(ctx, teamID, id, sql, req.Limit)
	var qe *connectors.QueryError
	if errors.As(err, &qe) {
		out.ExecutionError = qe.Message
		return out, nil
	}
	if err != nil {
		return AISQLResult{}, err
	}
	out.Result = &res
	return out, nil
}

// schemaContext retrieves the tables that best match the question and
// describes them from the stored embedding rows (no call to the source).
func (s *Service) schemaContext(ctx context.Context, teamID, id uuid.UUID, question string) (SchemaContext, error) {
	found, err := s.SearchSchema(ctx, teamID, id, question, aiContextTables)
	if err != nil {
		return SchemaContext{}, err
	}
	row, err := s.queries.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: id})
	if err != nil {
		return SchemaContext{}, fmt.Errorf("integration %s: %w", id, dbError(err))
	}
	dialect, err := s.dialectOf(ctx, teamID, row)
	if err != nil {
		return SchemaContext{}, err
	}
	names := make([]string, len(found.Tables))
	for i, t := range found.Tables {
		names[i] = t.Schema + "." + t.Table
	}
	rows, err := s.queries.SchemaEmbeddingTables(ctx, db.SchemaEmbeddingTablesParams{TeamID: teamID, IntegrationID: id, Tables: names})
	if err != nil {
		return SchemaContext{}, fmt.Errorf("read table details: %w", dbError(err))
	}
	details := map[string]string{}
	for _, r := range rows {
		var ts embeddings.TableSchema
		if json.Unmarshal(r.Detail, &ts) == nil {
			details[r.TableSchema+"."+r.TableName] = embeddings.PromptSchema(ts)
		}
	}
	sc := SchemaContext{Dialect: dialect, Tables: []ContextTable{}}
	var b strings.Builder
	b.WriteString("Tables:\n\n")
	for i, t := range found.Tables {
		text := details[names[i]]
		sc.Tables = append(sc.Tables, ContextTable{Table: names[i], Score: t.Score, Schema: text})
		b.WriteString(text + "\n")
	}
	fmt.Fprintf(&b, "Question: %s\n", question)
	sc.Prompt = b.String()
	return sc, nil
}

func systemPrompt(dialect connectors.Dialect) string {
	return fmt.Sprintf(`You write SQL for a %s database. Answer the user's question with exactly one read-only query:
a SELECT (a WITH … SELECT is fine). Never write INSERT, UPDATE, DELETE, DDL or anything that changes data.
Use only the tables and columns listed, qualified with their schema, in %s syntax. If the tables cannot answer
the question, say so instead of guessing. Reply with the query in a single `+"```sql"+` block, then one or two
sentences that explain it.`, dialect, dialect)
}

// tablesUsed lists the retrieved tables the statement names.
func tablesUsed(sql string, tables []ContextTable) []string {
	used := []string{}
	lower := strings.ToLower(sql)
	for _, t := range tables {
		_, name, _ := strings.Cut(t.Table, ".")
		pattern := `(^|[^a-z0-9_])"?` + regexp.QuoteMeta(strings.ToLower(name)) + `"?($|[^a-z0-9_])`
		if regexp.MustCompile(pattern).MatchString(lower) {
			used = append(used, t.Table)
		}
	}
	return used
}
