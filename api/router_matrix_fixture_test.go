package api_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/web"
)

// teamResources are one team's resources, each named so that it can be
// recognised in another team's answers: every name holds the team's word.
type teamResources struct {
	word        string // "acmeonly": in every name below, and the team's own name
	Token       string
	TeamID      string
	Database    string // the team's own source database
	Integration string // a postgres integration on Database
	Name        string // its name
	Lake        string // the team's lake integration
	Table       string // the source table, schema-qualified
	DestSchema  string // the lake schema the table syncs into
	SyncConfig  string
	Run         string // a finished sync run
	Cube        string // the cube of the integration's model
	Task        string // a running task run
	App         string
	Dataset     string
	Asset       string
	// SpareToken is the id of a token of the team other than Token, for its revoke.
	SpareToken string
	// Alert channels and rules, each with a spare for the deletes.
	Channel, SpareChannel, Rule, SpareRule string
	// spares are integrations the caller's own creates made, for its own deletes.
	spares []string
}

// field answers the resource a path parameter or body names.
func (r *teamResources) field(name string) string {
	switch name {
	case "integration":
		return r.Integration
	case "run":
		return r.Run
	case "table":
		return r.Table
	case "lake_table":
		return r.DestSchema + "." + strings.TrimPrefix(r.Table, "public.")
	case "app":
		return r.App
	case "task":
		return r.Task
	case "dataset":
		return r.Dataset
	case "token":
		return r.SpareToken
	case "spare1", "spare2":
		if i := int(name[5] - '1'); i < len(r.spares) {
			return r.spares[i]
		}
		return r.Integration
	case "connector":
		return "postgres"
	case "docfile":
		return "swagger-ui.css"
	case "consoleasset":
		return consoleAsset()
	case "channel":
		return r.Channel
	case "sparechannel":
		return r.SpareChannel
	case "rule":
		return r.Rule
	case "sparerule":
		return r.SpareRule
	}
	return ""
}

// teamScopedFields are the fields naming something a team owns; the others
// (connector types, doc assets) are the same for everyone.
var teamScopedFields = map[string]bool{"integration": true, "run": true, "table": true, "app": true,
	"task": true, "dataset": true, "spare1": true, "spare2": true, "token": true, "lake_table": true,
	"channel": true, "sparechannel": true, "rule": true, "sparerule": true}

// values are the resource names by field, for messages to be compared with
// the names taken out.
func (r *teamResources) values() map[string]string {
	return map[string]string{"integration": r.Integration, "run": r.Run, "table": r.Table, "app": r.App,
		"task": r.Task, "dataset": r.Dataset, "asset": r.Asset, "lake": r.Lake, "dest_schema": r.DestSchema, "name": r.Name,
		"token": r.SpareToken, "lake_table": r.field("lake_table"), "channel": r.Channel, "sparechannel": r.SpareChannel,
		"rule": r.Rule, "sparerule": r.SpareRule}
}

// markers are the strings none of another team's answers may hold.
func (r *teamResources) markers() []string {
	return []string{r.Token, r.TeamID, r.Database, r.Integration, r.Name, r.Lake, r.Table, r.DestSchema,
		r.SyncConfig, r.Run, r.Cube, r.Task, r.App, r.Dataset, r.Asset, r.SpareToken, r.Channel, r.SpareChannel, r.Rule, r.SpareRule}
}

// ghostResources name nothing: the answer to them is what "not found" looks like.
func ghostResources() *teamResources {
	w := "ghost" + matrixHex()
	return &teamResources{word: w, Integration: uuid.NewString(), Run: uuid.NewString(), Lake: uuid.NewString(),
		Table: "public." + w + "_orders", App: w + "-app", Task: w + "-task", Dataset: w + "_ds", Asset: w + "_asset",
		Name: w + "-pg", DestSchema: strings.ToUpper(w) + "_LAKE", Cube: w + "_orders", SpareToken: uuid.NewString(),
		Channel: uuid.NewString(), SpareChannel: uuid.NewString(), Rule: uuid.NewString(), SpareRule: uuid.NewString()}
}

// oddResources are names nothing can have: not UUIDs, a NUL byte, bytes
// that are not UTF-8, thousands of characters. They must answer a 4xx.
func oddResources() []*teamResources {
	var sets []*teamResources
	for _, odd := range []string{"x\x00y", "x\xffy", strings.Repeat("x", 5000)} {
		sets = append(sets, &teamResources{word: "odd", Integration: "not-a-uuid" + odd, Run: odd, Lake: odd, Table: "public." + odd,
			App: odd, Task: odd, Dataset: odd, Asset: odd, Name: odd, DestSchema: odd, Cube: odd,
			Channel: "not-a-uuid" + odd, SpareChannel: "not-a-uuid" + odd, Rule: "not-a-uuid" + odd, SpareRule: "not-a-uuid" + odd})
	}
	return sets
}

// newMatrixTeam creates a team with one of everything: a source database,
// a postgres integration on it with a model and a sync configuration, a
// task run with a transformation, a dataset and metrics, and app settings.
// The sync run is started here and waited for by waitReady.
func newMatrixTeam(t *testing.T, env *testenv.Env, word string) *teamResources {
	t.Helper()
	r := &teamResources{word: word, Token: env.Token(t, word), Table: "public." + word + "_orders",
		DestSchema: strings.ToUpper(word) + "_LAKE", Cube: word + "_orders", Task: word + "-task-" + matrixHex(),
		App: word + "-app", Dataset: word + "_ds", Asset: word + "_asset", Name: word + "-pg-" + matrixHex()}
	id, err := env.Service.EnsureTeam(context.Background(), word)
	if err != nil {
		t.Fatal(err)
	}
	r.TeamID = id.String()
	r.SpareToken = obsPost(t, env, r.Token, "/api/tokens", map[string]any{"name": "spare"}, http.StatusCreated)["id"].(string)
	r.Database = testenv.PostgresDatabase(t, "matrix_"+word+"_", "CREATE TABLE "+word+"_orders (id int PRIMARY KEY, amount numeric(10,2), updated_at timestamptz NOT NULL);"+
		"INSERT INTO "+word+"_orders SELECT g, g * 1.5, timestamptz '2024-01-01' + g * interval '1 hour' FROM generate_series(1, 3) g")

	r.Integration = obsPost(t, env, r.Token, "/v1/api/integrations", map[string]any{
		"type": "postgres", "name": r.Name, "credentials": r.credentials()}, http.StatusCreated)["integration"].(map[string]any)["id"].(string)
	for _, it := range obsList(obsGet(t, env, r.Token, "/v1/api/integrations?type=ducklake")["integrations"]) {
		r.Lake = it.(map[string]any)["id"].(string)
	}
	r.SyncConfig = obsPost(t, env, r.Token, "/v1/api/integrations/"+r.Integration+"/sync", r.syncConfig(),
		http.StatusOK)["sync_config"].(map[string]any)["id"].(string)
	if res := matrixSend(env, http.MethodPut, "/v1/api/integrations/"+r.Integration+"/models", r.Token, "application/yaml", []byte(r.model())); res.Status != http.StatusOK {
		t.Fatalf("%s: put model: %d %s", word, res.Status, res.Body)
	}
	startTask(t, env, r.Token, r.Task, r.App, "load")
	obsPost(t, env, r.Token, "/log/tf", r.transformation(), http.StatusCreated)
	obsPost(t, env, r.Token, "/log/dataset", r.dataset(), http.StatusCreated)
	obsPost(t, env, r.Token, "/log/metrics", r.metrics(), http.StatusCreated)
	if res := env.Do(t, http.MethodPut, "/api/pipelines/"+r.App+"/settings", r.Token, map[string]any{"task_timeout_seconds": 7200}); res.Status != http.StatusOK {
		t.Fatalf("%s: settings: %d %s", word, res.Status, res.Body)
	}
	r.Channel = obsPost(t, env, r.Token, "/v1/api/alerts/channels", r.channel(), http.StatusCreated)["id"].(string)
	r.SpareChannel = obsPost(t, env, r.Token, "/v1/api/alerts/channels", r.channel(), http.StatusCreated)["id"].(string)
	r.Rule = obsPost(t, env, r.Token, "/v1/api/alerts/rules", r.rule(), http.StatusCreated)["id"].(string)
	r.SpareRule = obsPost(t, env, r.Token, "/v1/api/alerts/rules", r.rule(), http.StatusCreated)["id"].(string)
	r.Run = obsPost(t, env, r.Token, "/v1/api/integrations/"+r.Integration+"/sync/run", nil,
		http.StatusAccepted)["data"].(map[string]any)["id"].(string)
	return r
}

// waitReady waits for the team's sync run to succeed and its schema
// embeddings to be ready, so search and run routes answer as they would.
func (r *teamResources) waitReady(t *testing.T, env *testenv.Env) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		run := obsGet(t, env, r.Token, "/v1/api/syncs/"+r.Run)["data"].(map[string]any)
		conn := obsGet(t, env, r.Token, "/v2/connection/"+r.Integration)["data"].(map[string]any)
		finished := slices.Contains([]any{"succeeded", "partially_succeeded", "failed", "cancelled"}, run["status"])
		if finished && conn["embedding_status"] == "ready" {
			if run["status"] != "succeeded" {
				t.Fatalf("%s: sync run %v: %v", r.word, run["status"], run["error"])
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: run %v, embeddings %v after 60s", r.word, run["status"], conn["embedding_status"])
		}
	}
}

func (r *teamResources) credentials() map[string]any {
	creds := testenv.PostgresCredentials("pw")
	creds["database"] = r.Database
	return creds
}

func (r *teamResources) syncConfig() map[string]any {
	return map[string]any{"dest_schema": r.DestSchema, "schedule": "daily", "load_method": "merge",
		"tables": []any{r.Table}, "dest_integration_id": r.Lake}
}

func (r *teamResources) model() string {
	return "cubes:\n  - name: " + r.Cube + "\n    sql_table: " + r.Table + "\n" +
		"    measures:\n      - name: count\n        type: count\n" +
		"    dimensions:\n      - name: id\n        sql: id\n        type: number\n        primary_key: true\n"
}

func (r *teamResources) transformation() map[string]any {
	return map[string]any{"task_id": r.Task, "tf_id": 1, "input_datasets": map[string]any{r.Dataset + "_src": nil},
		"output": map[string]any{"name": r.Dataset}}
}

func (r *teamResources) dataset() map[string]any {
	return map[string]any{"task_id": r.Task, "ds_name": r.Dataset,
		"metadata": []any{map[string]any{"info_type": "schema_field", "info_value": "id-INTEGER"}}}
}

func (r *teamResources) metrics() map[string]any {
	return map[string]any{"task_id": r.Task,
		"metrics": []any{map[string]any{"asset_name": r.Asset, "metric_type": "rows", "value": 3}}}
}

func matrixHex() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// consoleAsset names a file of the embedded console build (its names carry
// a content hash, so they change with every build).
func consoleAsset() string {
	names, _ := fs.Glob(web.Dist, "dist/assets/*")
	if len(names) == 0 {
		return "missing"
	}
	return path.Base(names[0])
}

// channel is a new alert channel's body: a webhook on the discard port,
// which refuses at once, so a test send answers quickly.
func (r *teamResources) channel() map[string]any {
	return map[string]any{"name": r.word + "-hook-" + matrixHex(), "type": "webhook", "url": "http://127.0.0.1:9/" + r.word}
}

// rule is a new alert rule's body, routed to the team's channel. Its
// filters name no resource (a rule may name an app before it reports).
func (r *teamResources) rule() map[string]any {
	return map[string]any{"name": r.word + "-rule-" + matrixHex(), "event": "task_run.failed", "channel_id": r.Channel}
}
