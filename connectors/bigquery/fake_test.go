package bigquery

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeBigQuery is an in-process fake of BigQuery's REST API (v2) and of
// Google's OAuth 2.0 token endpoint for service accounts. It is written from
// the documented wire format — the BigQuery v2 discovery document
// (google.golang.org/api/bigquery/v2/bigquery-api.json) and the REST reference
// for datasets.list, tables.list, tables.get, jobs.insert,
// jobs.get, jobs.getQueryResults and jobs.cancel — not from the client
// library's code.
// It checks what it receives (method, path, bearer token, the signed JWT
// assertion, a job's configuration and the paging parameters) and answers
// with 400 or 404 like the real API when a request is not what it documents.
type fakeBigQuery struct {
	t           *testing.T
	srv         *httptest.Server
	project     string
	pub         *rsa.PublicKey // the only key whose JWT assertions are honoured
	clientEmail string
	location    string // the location every job must carry

	datasets map[string]map[string]fakeTable
	queries  map[string]fakeQuery
	deny     map[string]bool // request kinds answered with 403 accessDenied

	mu        sync.Mutex
	jobs      map[string]*fakeJob
	dryRuns   []string
	runs      []string
	cancelled []string
	pages     []string // the maxResults of every getQueryResults call
	requests  int
}

// fakeTable is a table's metadata; fields are TableFieldSchema objects as
// JSON. rows, in the wire format of fakeQuery's, are what the fake Storage
// Read API serves for it.
type fakeTable struct {
	kind        string
	numRows     int64
	numBytes    int64
	description string
	fields      []map[string]any
	primaryKey  []string
	rows        [][]any
}

// fakeQuery is what the fake answers for one SQL text: a dry run's statement
// type, the result schema and rows (cells in the wire format: strings, nulls,
// {"f": [...]} for records and [{"v": ...}] for arrays), or a failure.
type fakeQuery struct {
	statementType string
	fields        []map[string]any
	rows          [][]any
	params        []map[string]any // the queryParameters the job must carry
	hang          bool             // the job never completes
	ignoreTimeout bool             // and it ignores jobTimeoutMs
}

type fakeJob struct {
	query     fakeQuery
	timeoutMs int64
	started   time.Time
	location  string
}

const issuedToken = "ya29.fake-access-token"

func newFakeBigQuery(t *testing.T, pub *rsa.PublicKey) *fakeBigQuery {
	f := &fakeBigQuery{t: t, project: "sluice-test-1", pub: pub, clientEmail: "reader@sluice-test-1.iam.gserviceaccount.com",
		datasets: map[string]map[string]fakeTable{}, queries: map[string]fakeQuery{}, deny: map[string]bool{},
		jobs: map[string]*fakeJob{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeBigQuery) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests++
	f.mu.Unlock()
	if r.URL.Path == "/token" {
		f.serveToken(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+issuedToken {
		writeAPIError(w, http.StatusUnauthorized, "unauthorized", "Request had invalid authentication credentials.")
		return
	}
	prefix := "/bigquery/v2/projects/" + f.project + "/"
	if !strings.HasPrefix(r.URL.Path, prefix) {
		writeAPIError(w, http.StatusNotFound, "notFound", "Not found: project in "+r.URL.Path)
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, prefix), "/")
	switch {
	case r.Method == http.MethodGet && len(parts) == 1 && parts[0] == "datasets":
		f.listDatasets(w)
	case r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "datasets" && parts[2] == "tables":
		f.listTables(w, parts[1])
	case r.Method == http.MethodGet && len(parts) == 4 && parts[0] == "datasets" && parts[2] == "tables":
		f.getTable(w, parts[1], parts[3])
	case r.Method == http.MethodPost && len(parts) == 1 && parts[0] == "jobs":
		f.insertJob(w, r)
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "jobs":
		f.getJob(w, r, parts[1])
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "queries":
		f.getQueryResults(w, r, parts[1])
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "jobs" && parts[2] == "cancel":
		f.mu.Lock()
		f.cancelled = append(f.cancelled, parts[1])
		f.mu.Unlock()
		writeJSON(w, map[string]any{"kind": "bigquery#jobCancelResponse", "job": f.jobResource(parts[1], nil, "DONE")})
	default:
		writeAPIError(w, http.StatusNotFound, "notFound", "no such method: "+r.Method+" "+r.URL.Path)
	}
}

// serveToken implements the JWT-bearer grant (RFC 7523) Google's token
// endpoint offers service accounts: the assertion must be signed with the
// key's private half and name the account, the endpoint and the scope.
func (f *fakeBigQuery) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil || r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		writeTokenError(w, "unsupported_grant_type", "Invalid grant_type.")
		return
	}
	parts := strings.Split(r.PostForm.Get("assertion"), ".")
	if len(parts) != 3 {
		writeTokenError(w, "invalid_request", "Invalid JWT.")
		return
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(f.pub, crypto.SHA256, digest[:], sig) != nil {
		writeTokenError(w, "invalid_grant", "Invalid JWT Signature.")
		return
	}
	var claims struct {
		Iss, Aud, Scope string
		Exp             int64
	}
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if json.Unmarshal(payload, &claims) != nil || claims.Iss != f.clientEmail || claims.Aud != f.srv.URL+"/token" ||
		!strings.Contains(claims.Scope, "https://www.googleapis.com/auth/bigquery") || claims.Exp < time.Now().Unix() {
		writeTokenError(w, "invalid_grant", "Invalid JWT claims.")
		return
	}
	writeJSON(w, map[string]any{"access_token": issuedToken, "token_type": "Bearer", "expires_in": 3600})
}

func (f *fakeBigQuery) listDatasets(w http.ResponseWriter) {
	if f.deny["datasets"] {
		writeAPIError(w, http.StatusForbidden, "accessDenied", "Access Denied: Project "+f.project+": User does not have bigquery.datasets.list permission.")
		return
	}
	var list []any
	for _, id := range sortedKeys(f.datasets) {
		list = append(list, map[string]any{"kind": "bigquery#dataset", "id": f.project + ":" + id,
			"datasetReference": map[string]any{"projectId": f.project, "datasetId": id}, "location": "US"})
	}
	writeJSON(w, map[string]any{"kind": "bigquery#datasetList", "datasets": list})
}

func (f *fakeBigQuery) listTables(w http.ResponseWriter, dataset string) {
	tables, ok := f.datasets[dataset]
	if !ok {
		writeAPIError(w, http.StatusNotFound, "notFound", "Not found: Dataset "+f.project+":"+dataset)
		return
	}
	var list []any
	for _, id := range sortedKeys(tables) {
		list = append(list, map[string]any{"kind": "bigquery#table", "type": tables[id].kind,
			"tableReference": map[string]any{"projectId": f.project, "datasetId": dataset, "tableId": id}})
	}
	writeJSON(w, map[string]any{"kind": "bigquery#tableList", "tables": list, "totalItems": len(list)})
}

func (f *fakeBigQuery) getTable(w http.ResponseWriter, dataset, table string) {
	t, ok := f.datasets[dataset][table]
	if !ok {
		writeAPIError(w, http.StatusNotFound, "notFound", fmt.Sprintf("Not found: Table %s:%s.%s", f.project, dataset, table))
		return
	}
	res := map[string]any{"kind": "bigquery#table", "type": t.kind, "description": t.description,
		"tableReference": map[string]any{"projectId": f.project, "datasetId": dataset, "tableId": table},
		"schema":         map[string]any{"fields": t.fields}}
	if t.kind != "VIEW" {
		res["numRows"] = strconv.FormatInt(t.numRows, 10) // int64 values travel as strings
		res["numBytes"] = strconv.FormatInt(t.numBytes, 10)
	}
	if len(t.primaryKey) > 0 {
		res["tableConstraints"] = map[string]any{"primaryKey": map[string]any{"columns": t.primaryKey}}
	}
	writeJSON(w, res)
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}

// writeAPIError writes Google's JSON error envelope.
func writeAPIError(w http.ResponseWriter, code int, reason, message string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": message,
		"errors": []any{map[string]any{"reason": reason, "message": message, "domain": "global"}}}})
}

// writeTokenError writes an OAuth 2.0 error response (RFC 6749 section 5.2).
func writeTokenError(w http.ResponseWriter, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": code, "error_description": description})
}
