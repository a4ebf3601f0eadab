package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// graphShape describes a generated lineage graph: 50 apps, each with 200
// datasets in topological order and 400 transformations (two writing each
// dataset after the first window ones, which are sources). A transformation
// reads two datasets among the window before its output, and with chance
// crossApp one of them from another app instead. Every input edge also names
// two columns.
type graphShape struct {
	name     string
	window   int
	crossApp float64
}

const (
	genApps        = 50
	genDatasetsApp = 200
	genTfsApp      = 400
	genColumns     = 5
)

// edgeKinds are the derivation kinds generated column edges carry.
var edgeKinds = []string{"identity", "transformation", "aggregation", "indirect"}

// generateLineage writes the graph straight into the team's tables with COPY
// and returns the dataset names.
func generateLineage(b *testing.B, pool *pgxpool.Pool, teamID uuid.UUID, shape graphShape) (datasets []string) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	seen := time.Now().Add(-time.Hour)
	datasetID := func(app, pos int) int64 { return int64(app*genDatasetsApp + pos + 1) }
	column := func() string { return fmt.Sprintf("c%d", rng.IntN(genColumns)) }

	var apps, runs, dsRows, tfRows, edgeRows [][]any
	for a := 0; a < genApps; a++ {
		app := fmt.Sprintf("app-%02d", a)
		apps = append(apps, []any{teamID, app})
		runs = append(runs, []any{int64(a + 1), teamID, "gen-" + app, app, "job", "spark", "none", seen, "success"})
		for p := 0; p < genDatasetsApp; p++ {
			name := fmt.Sprintf("%s.t%03d", app, p)
			datasets = append(datasets, name)
			dsRows = append(dsRows, []any{datasetID(a, p), teamID, name})
		}
	}
	edges := map[[5]any]bool{}
	for a := 0; a < genApps; a++ {
		for j := 0; j < genTfsApp; j++ {
			tfID := int64(a*genTfsApp + j + 1)
			p := shape.window + j%(genDatasetsApp-shape.window)
			out := datasetID(a, p)
			tfRows = append(tfRows, []any{tfID, teamID, fmt.Sprintf("app-%02d", a), "job", fmt.Sprint(j), out, int64(a + 1), seen, seen})
			back := 1 + rng.IntN(shape.window)
			inputs := []int64{datasetID(a, p-back), datasetID(a, p-1-(back+rng.IntN(shape.window-1))%shape.window)}
			if rng.Float64() < shape.crossApp {
				inputs[1] = datasetID((a+1+rng.IntN(genApps-1))%genApps, p-1-rng.IntN(shape.window))
			}
			for _, in := range inputs {
				for _, cols := range [][2]string{{"", ""}, {column(), column()}, {column(), column()}} {
					key := [5]any{tfID, in, out, cols[0], cols[1]}
					if edges[key] { // a repeated draw; the table keeps one
						continue
					}
					edges[key] = true
					kind, source := "", "reported"
					if cols[0] != "" { // column edges as the SQL reader writes them
						kind, source = edgeKinds[rng.IntN(len(edgeKinds))], "sql"
					}
					edgeRows = append(edgeRows, []any{int64(len(edgeRows) + 1), teamID, tfID, in, out, cols[0], cols[1], kind, source, seen, seen})
				}
			}
		}
	}
	copyRows(b, pool, "obs_apps", []string{"team_id", "name"}, apps)
	copyRows(b, pool, "obs_task_runs", []string{"id", "team_id", "task_id", "app_name", "task_name", "task_type", "workflow_id", "started_at", "status"}, runs)
	copyRows(b, pool, "obs_datasets", []string{"id", "team_id", "name"}, dsRows)
	copyRows(b, pool, "obs_transformations", []string{"id", "team_id", "app_name", "task_name", "tf_id", "output_dataset_id", "last_task_run_id", "first_seen_at", "last_seen_at"}, tfRows)
	copyRows(b, pool, "obs_lineage_edges", []string{"id", "team_id", "transformation_id", "input_dataset_id", "output_dataset_id", "input_column", "output_column", "kind", "source", "first_seen_at", "last_seen_at"}, edgeRows)
	// Vacuumed as well as analyzed, as autovacuum keeps a live database:
	// otherwise it may vacuum the freshly loaded tables in the middle of
	// the measurement.
	for _, table := range []string{"obs_task_runs", "obs_datasets", "obs_transformations", "obs_lineage_edges"} {
		_, err := pool.Exec(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT max(id) FROM %s))", table, table))
		must(b, err)
		_, err = pool.Exec(ctx, "VACUUM ANALYZE "+table)
		must(b, err)
	}
	return datasets
}

func copyRows(b *testing.B, pool *pgxpool.Pool, table string, columns []string, rows [][]any) {
	if _, err := pool.CopyFrom(context.Background(), pgx.Identifier{table}, columns, pgx.CopyFromRows(rows)); err != nil {
		b.Fatalf("copy %s: %v", table, err)
	}
}

// BenchmarkLineageDepth10 walks generated graphs of 10,000 datasets and
// 20,000 transformations across 50 apps from 200 random datasets, both ways,
// at depth 10, through the HTTP API. Goal: p95 ≤ 50 ms. Two shapes: "local"
// (inputs among the 8 datasets before, 5% across apps — pipelines that build
// on their own recent tables) and "dense" (inputs among the 20 before, 10%
// across apps — a stress case whose depth-10 neighbourhoods hold thousands of
// nodes).
func BenchmarkLineageDepth10(b *testing.B) {
	for _, shape := range []graphShape{{name: "local", window: 8, crossApp: 0.05}, {name: "dense", window: 20, crossApp: 0.1}} {
		b.Run(shape.name, func(b *testing.B) { benchmarkLineage(b, shape) })
	}
}

func benchmarkLineage(b *testing.B, shape graphShape) {
	env := testenv.New(b)
	token := env.Token(b, "bench")
	var teamID uuid.UUID
	must(b, env.Pool.QueryRow(context.Background(), "SELECT id FROM teams WHERE name = 'bench'").Scan(&teamID))
	datasets := generateLineage(b, env.Pool, teamID, shape)
	srv := httptest.NewServer(env.Router)
	defer srv.Close()

	rng := rand.New(rand.NewPCG(3, 4))
	// walk times one answer from the request sent to its last byte
	// received; decoding it afterwards (the client's work, as long as the
	// server's for a large graph) is not part of the server's latency.
	walk := func(query url.Values) (time.Duration, int) {
		start := time.Now()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/lineage?"+query.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := benchClient.Do(req)
		must(b, err)
		body, err := io.ReadAll(resp.Body)
		took := time.Since(start)
		must(b, err)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("lineage: status %d: %s", resp.StatusCode, body)
		}
		var graph struct {
			Nodes []struct{} `json:"nodes"`
		}
		must(b, json.Unmarshal(body, &graph))
		return took, len(graph.Nodes)
	}
	measure := func(column bool, direction string) (p50, p95 time.Duration, nodes float64) {
		var times []time.Duration
		total := 0
		for i := 0; i < 200; i++ {
			q := url.Values{"dataset": {datasets[rng.IntN(len(datasets))]}, "direction": {direction}, "depth": {"10"}}
			if column {
				q.Set("column", fmt.Sprintf("c%d", rng.IntN(genColumns)))
				q.Set("level", "column")
			}
			d, n := walk(q)
			times = append(times, d)
			total += n
		}
		slices.Sort(times)
		return times[len(times)/2], times[len(times)*95/100], float64(total) / float64(len(times))
	}
	measure(false, "both") // warm up: connections, plans, caches
	p50, p95, nodes := measure(false, "both")
	cp50, cp95, cnodes := measure(true, "both")
	// Impact analysis: every column downstream of one column, with kinds.
	ip50, ip95, inodes := measure(true, "downstream")
	b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms(<=50)")
	b.ReportMetric(float64(cp95.Microseconds())/1000, "column-p95-ms")
	b.ReportMetric(float64(ip95.Microseconds())/1000, "impact-p95-ms(<=50)")
	b.ReportMetric(nodes, "nodes/answer")
	fmt.Printf("lineage, %s graph (10,000 datasets, 20,000 transformations, 50 apps), both directions, depth 10, 200 random datasets:\n"+
		"  dataset level  p50 %s p95 %s (goal <= 50ms), %.0f nodes per answer\n"+
		"  column level   p50 %s p95 %s, %.0f nodes per answer\n"+
		"  column impact  p50 %s p95 %s (goal <= 50ms), %.0f nodes per answer (downstream of one column, level=column)\n",
		shape.name, p50.Round(100*time.Microsecond), p95.Round(100*time.Microsecond), nodes,
		cp50.Round(100*time.Microsecond), cp95.Round(100*time.Microsecond), cnodes,
		ip50.Round(100*time.Microsecond), ip95.Round(100*time.Microsecond), inodes)
}
