package api_test

import (
	"context"
	"encoding/json"
	"fmt"
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

// The generated lineage graph: 50 apps, each with 200 datasets in 20 layers
// of 10 and 400 transformations, each writing one dataset of a layer from two
// datasets of the layer before; one transformation in ten reads one of its
// inputs from another app instead. Every input edge also names two columns.
const (
	genApps           = 50
	genLayers         = 20
	genPerLayer       = 10
	genTfsPerApp      = 400
	genCrossAppChance = 0.1
	genColumns        = 5
)

// generateLineage writes the graph straight into the team's tables with COPY.
func generateLineage(b *testing.B, pool *pgxpool.Pool, teamID uuid.UUID) (datasets []string) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	seen := time.Now().Add(-time.Hour)
	datasetID := func(app, layer, i int) int64 { return int64(app*genLayers*genPerLayer + layer*genPerLayer + i + 1) }

	var apps, runs, dsRows, tfRows, edgeRows [][]any
	for a := 0; a < genApps; a++ {
		app := fmt.Sprintf("app-%02d", a)
		apps = append(apps, []any{teamID, app})
		runs = append(runs, []any{int64(a + 1), teamID, "gen-" + app, app, "job", "spark", "none", seen, "success"})
		for l := 0; l < genLayers; l++ {
			for i := 0; i < genPerLayer; i++ {
				name := fmt.Sprintf("%s.layer%02d.t%d", app, l, i)
				datasets = append(datasets, name)
				dsRows = append(dsRows, []any{datasetID(a, l, i), teamID, name})
			}
		}
	}
	edgeID := int64(0)
	for a := 0; a < genApps; a++ {
		for j := 0; j < genTfsPerApp; j++ {
			tfID := int64(a*genTfsPerApp + j + 1)
			layer := 1 + j%(genLayers-1)
			out := datasetID(a, layer, rng.IntN(genPerLayer))
			tfRows = append(tfRows, []any{tfID, teamID, fmt.Sprintf("app-%02d", a), "job", fmt.Sprint(j), out, int64(a + 1), seen, seen})
			first := rng.IntN(genPerLayer)
			inputs := []int64{datasetID(a, layer-1, first), datasetID(a, layer-1, (first+1+rng.IntN(genPerLayer-1))%genPerLayer)}
			if rng.Float64() < genCrossAppChance {
				inputs[1] = datasetID((a+1+rng.IntN(genApps-1))%genApps, layer-1, rng.IntN(genPerLayer))
			}
			for _, in := range inputs {
				for _, cols := range [][2]string{{"", ""}, {fmt.Sprintf("c%d", rng.IntN(genColumns)), fmt.Sprintf("c%d", rng.IntN(genColumns))},
					{fmt.Sprintf("c%d", rng.IntN(genColumns)), fmt.Sprintf("c%d", rng.IntN(genColumns))}} {
					edgeID++
					edgeRows = append(edgeRows, []any{edgeID, teamID, tfID, in, out, cols[0], cols[1], seen, seen})
				}
			}
		}
	}
	copyRows(b, pool, "obs_apps", []string{"team_id", "name"}, apps)
	copyRows(b, pool, "obs_task_runs", []string{"id", "team_id", "task_id", "app_name", "task_name", "task_type", "workflow_id", "started_at", "status"}, runs)
	copyRows(b, pool, "obs_datasets", []string{"id", "team_id", "name"}, dsRows)
	copyRows(b, pool, "obs_transformations", []string{"id", "team_id", "app_name", "task_name", "tf_id", "output_dataset_id", "last_task_run_id", "first_seen_at", "last_seen_at"}, tfRows)
	copyRows(b, pool, "obs_lineage_edges", []string{"id", "team_id", "transformation_id", "input_dataset_id", "output_dataset_id", "input_column", "output_column", "first_seen_at", "last_seen_at"}, edgeRows)
	for _, table := range []string{"obs_task_runs", "obs_datasets", "obs_transformations", "obs_lineage_edges"} {
		_, err := pool.Exec(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT max(id) FROM %s)); ANALYZE %s", table, table, table))
		must(b, err)
	}
	return datasets
}

func copyRows(b *testing.B, pool *pgxpool.Pool, table string, columns []string, rows [][]any) {
	// Draws can repeat an edge; keep the first of each unique key.
	if table == "obs_lineage_edges" {
		seen := map[[5]any]bool{}
		rows = slices.DeleteFunc(rows, func(r []any) bool {
			key := [5]any{r[2], r[3], r[4], r[5], r[6]}
			if seen[key] {
				return true
			}
			seen[key] = true
			return false
		})
	}
	_, err := pool.CopyFrom(context.Background(), pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
	if err != nil {
		b.Fatalf("copy %s: %v", table, err)
	}
}

// BenchmarkLineageDepth10 walks a generated graph of 10,000 datasets and
// 20,000 transformations across 50 apps from random datasets, both ways, at
// depth 10, through the HTTP API. Goal: p95 ≤ 50 ms.
func BenchmarkLineageDepth10(b *testing.B) {
	env := testenv.New(b)
	token := env.Token(b, "bench")
	var teamID uuid.UUID
	must(b, env.Pool.QueryRow(context.Background(), "SELECT id FROM teams WHERE name = 'bench'").Scan(&teamID))
	datasets := generateLineage(b, env.Pool, teamID)
	srv := httptest.NewServer(env.Router)
	defer srv.Close()

	rng := rand.New(rand.NewPCG(3, 4))
	walk := func(query url.Values) (time.Duration, int) {
		start := time.Now()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/lineage?"+query.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := benchClient.Do(req)
		must(b, err)
		var graph struct {
			Nodes []struct{} `json:"nodes"`
		}
		must(b, jsonDecode(resp, &graph))
		return time.Since(start), len(graph.Nodes)
	}
	measure := func(column bool) (p50, p95 time.Duration, nodes float64) {
		var times []time.Duration
		total := 0
		for i := 0; i < 200; i++ {
			q := url.Values{"dataset": {datasets[rng.IntN(len(datasets))]}, "direction": {"both"}, "depth": {"10"}}
			if column {
				q.Set("column", fmt.Sprintf("c%d", rng.IntN(genColumns)))
			}
			d, n := walk(q)
			times = append(times, d)
			total += n
		}
		slices.Sort(times)
		return times[len(times)/2], times[len(times)*95/100], float64(total) / float64(len(times))
	}
	measure(false) // warm up: connections, plans, caches
	p50, p95, nodes := measure(false)
	cp50, cp95, cnodes := measure(true)
	b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms(<=50)")
	b.ReportMetric(float64(cp95.Microseconds())/1000, "column-p95-ms")
	fmt.Printf("lineage on 10,000 datasets / 20,000 transformations / 50 apps, both directions, depth 10 (200 random datasets):\n"+
		"  dataset level  p50 %s p95 %s (goal <= 50ms), %.0f nodes on average\n"+
		"  column level   p50 %s p95 %s, %.0f nodes on average\n",
		p50.Round(100*time.Microsecond), p95.Round(100*time.Microsecond), nodes,
		cp50.Round(100*time.Microsecond), cp95.Round(100*time.Microsecond), cnodes)
}

func jsonDecode(resp *http.Response, v any) error {
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
