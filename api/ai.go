package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sluice-dev/sluice/service"
)

// registerAI serves schema search and AI SQL on the connections facade.
// The static "search" segment sits beside the :table parameter of
// …/schema/:table; gin matches the static one first, so a table literally
// named "search" is described with its schema-qualified name.
func (s *Server) registerAI(r *gin.RouterGroup, base string) {
	r.GET(base+"/:id/schema/search", s.searchSchema)
	r.POST(base+"/:id/ai/sql", s.aiSQL)
}

// embeddingView is a connection's embedding state as both facades show it.
type embeddingView struct {
	Status      string     `json:"status"`
	Reason      string     `json:"reason,omitempty"`
	Provider    string     `json:"provider,omitempty"`
	Model       string     `json:"model,omitempty"`
	TablesTotal int        `json:"tables_total"`
	TablesDone  int        `json:"tables_done"`
	Tables      int        `json:"tables"`
	Columns     int        `json:"columns"`
	Error       string     `json:"error,omitempty"`
	RequestedAt time.Time  `json:"requested_at"`
	EmbeddedAt  *time.Time `json:"embedded_at"`
}

func embeddingViewOf(st *service.EmbeddingState) *embeddingView {
	if st == nil {
		return nil
	}
	return &embeddingView{Status: st.Status, Reason: st.Reason, Provider: st.Provider, Model: st.Model,
		TablesTotal: st.TablesTotal, TablesDone: st.TablesDone, Tables: st.Tables, Columns: st.Columns,
		Error: st.Error, RequestedAt: st.RequestedAt, EmbeddedAt: st.EmbeddedAt}
}

// searchSchema ranks the connection's tables and columns for ?q=, best k (default 10, at most 50).
func (s *Server) searchSchema(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	k := 0
	if raw := c.Query("k"); raw != "" {
		if k, err = strconv.Atoi(raw); err != nil || k < 1 || k > service.MaxSearchResults {
			fail(c, &service.InputError{Field: "k", Problem: "must be an integer from 1 to " + strconv.Itoa(service.MaxSearchResults)})
			return
		}
	}
	res, err := s.svc.SearchSchema(c, teamID(c), id, c.Query("q"), k)
	if err != nil {
		fail(c, err)
		return
	}
	envelope(c, http.StatusOK, gin.H{"query": res.Query, "tables": nonNil(res.Tables), "columns": nonNil(res.Columns),
		"embedding": embeddingViewOf(&res.Embedding)})
}

func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// aiSQLRequest is the body of POST /v2/connection/{id}/ai/sql.
type aiSQLRequest struct {
	Question string `json:"question"`
	Execute  bool   `json:"execute"`
	Limit    int    `json:"limit"`
}

// aiSQLView is the answer: the draft, why it was refused if it was, and
// the rows when it was run.
type aiSQLView struct {
	SQL            string          `json:"sql"`
	TablesUsed     []string        `json:"tables_used"`
	Explanation    string          `json:"explanation"`
	Dialect        string          `json:"dialect"`
	Model          string          `json:"model"`
	Refused        bool            `json:"refused"`
	Refusal        string          `json:"refusal,omitempty"`
	Executed       bool            `json:"executed"`
	ExecutionError string          `json:"execution_error,omitempty"`
	Rows           json.RawMessage `json:"rows,omitempty"`
	Meta           json.RawMessage `json:"meta,omitempty"`
}

func (s *Server) aiSQL(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var req aiSQLRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	res, err := s.svc.GenerateSQL(c, teamID(c), id, service.AISQLRequest{Question: req.Question, Execute: req.Execute, Limit: req.Limit})
	if err != nil {
		fail(c, err)
		return
	}
	view := aiSQLView{SQL: res.SQL, TablesUsed: nonNil(res.TablesUsed), Explanation: res.Explanation, Dialect: string(res.Dialect),
		Model: res.Model, Refused: res.Refusal != "", Refusal: res.Refusal, ExecutionError: res.ExecutionError}
	if res.Result != nil {
		cols := uniqueColumnNames(res.Result.Columns)
		view.Executed = true
		view.Rows = appendRows(nil, cols, res.Result.Rows)
		view.Meta = append(appendResultMeta([]byte{'{'}, cols, *res.Result), '}')
	}
	envelope(c, http.StatusOK, view)
}
