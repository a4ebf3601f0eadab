package loadtest

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Fixtures are what the workload reads: a Postgres integration on a source
// database of its own, the lake table one sync wrote from it, and task runs
// whose lineage ends at LineageDataset.
type Fixtures struct {
	IntegrationID  string
	SourceDatabase string
	LakeTable      string
	SourceTable    string
	LineageDataset string
}

// sourceSQL is the source database's one small table.
const sourceSQL = `CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, amount numeric(10,2), updated_at timestamptz NOT NULL);
INSERT INTO items SELECT g, 'item ' || g, g * 0.5, timestamptz '2024-01-01' + g * interval '1 minute' FROM generate_series(1, 2000) g;`

// syncTimeout bounds the fixture sync.
const syncTimeout = 3 * time.Minute

// SetUp creates the fixtures through the API, as a client would.
func SetUp(ctx context.Context, c *Client, admin string) (Fixtures, error) {
	f := Fixtures{SourceDatabase: "sluice_load_src_" + randomSuffix(), LakeTable: "LOADTEST.items", SourceTable: "public.items",
		LineageDataset: "load_mart.daily"}
	if err := adminExec(ctx, admin, "CREATE DATABASE "+f.SourceDatabase); err != nil {
		return f, fmt.Errorf("create source database: %w", err)
	}
	if err := databaseExec(ctx, admin, f.SourceDatabase, sourceSQL); err != nil {
		return f, fmt.Errorf("fill source database: %w", err)
	}
	// sluice refuses a superuser's credentials, so the source is read as a
	// role of its own (named like the database) that may only read it.
	password := randomSuffix() + randomSuffix()
	if err := adminExec(ctx, admin, fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s'", f.SourceDatabase, password)); err != nil {
		return f, fmt.Errorf("create source role: %w", err)
	}
	if err := databaseExec(ctx, admin, f.SourceDatabase, fmt.Sprintf("GRANT USAGE ON SCHEMA public TO %[1]s; GRANT SELECT ON ALL TABLES IN SCHEMA public TO %[1]s", f.SourceDatabase)); err != nil {
		return f, fmt.Errorf("grant source role: %w", err)
	}
	created, err := c.Do(ctx, http.MethodPost, "/v1/api/integrations", map[string]any{
		"type": "postgres", "name": "load source", "credentials": sourceCredentials(admin, f.SourceDatabase, password),
	}).expect("create the postgres integration", http.StatusCreated)
	if err != nil {
		return f, err
	}
	integration, _ := created["integration"].(map[string]any)
	f.IntegrationID, _ = integration["id"].(string)
	if f.IntegrationID == "" {
		return f, fmt.Errorf("create the postgres integration: no id in %v", created)
	}
	if err := syncOnce(ctx, c, f); err != nil {
		return f, err
	}
	if err := reportLineage(ctx, c); err != nil {
		return f, err
	}
	return f, nil
}

// TearDown drops the source database and its role.
func (f Fixtures) TearDown(admin string) {
	if f.SourceDatabase == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = adminExec(ctx, admin, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", f.SourceDatabase))
	_ = adminExec(ctx, admin, "DROP ROLE IF EXISTS "+f.SourceDatabase)
}

// syncOnce configures a sync of the source table into the lake, runs it and
// waits for it to succeed.
func syncOnce(ctx context.Context, c *Client, f Fixtures) error {
	base := "/v1/api/integrations/" + f.IntegrationID + "/sync"
	if _, err := c.Do(ctx, http.MethodPost, base, map[string]any{
		"dest_schema": "LOADTEST", "schedule": "daily", "tables": []any{f.SourceTable},
	}).expect("configure the sync", http.StatusOK); err != nil {
		return err
	}
	started, err := c.Do(ctx, http.MethodPost, base+"/run", nil).expect("start the sync", http.StatusAccepted)
	if err != nil {
		return err
	}
	data, _ := started["data"].(map[string]any)
	runID, _ := data["id"].(string)
	deadline := time.Now().Add(syncTimeout)
	for time.Now().Before(deadline) {
		run, err := c.Do(ctx, http.MethodGet, "/v1/api/syncs/"+runID, nil).expect("read the sync run", http.StatusOK)
		if err != nil {
			return err
		}
		data, _ := run["data"].(map[string]any)
		switch data["status"] {
		case "succeeded":
			return nil
		case "partially_succeeded", "failed", "cancelled":
			return fmt.Errorf("the fixture sync ended %v: %v", data["status"], data)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	return fmt.Errorf("the fixture sync did not finish within %s", syncTimeout)
}

// reportLineage reports three task runs, raw → staged → mart, each with one
// transformation, as a pipeline would.
func reportLineage(ctx context.Context, c *Client) error {
	steps := []struct{ task, input, output string }{
		{"load-fixture-1", "load_raw.events", "load_staged.events"},
		{"load-fixture-2", "load_staged.events", "load_staged.sessions"},
		{"load-fixture-3", "load_staged.sessions", "load_mart.daily"},
	}
	for _, st := range steps {
		if _, err := c.Do(ctx, http.MethodPost, "/log/task", map[string]any{"task_id": st.task, "status": "start",
			"app_name": "load-fixtures", "task_name": st.task, "task_type": "python"}).expect("start task "+st.task, http.StatusCreated); err != nil {
			return err
		}
		if _, err := c.Do(ctx, http.MethodPost, "/log/tf", map[string]any{"task_id": st.task, "tf_id": 1,
			"input_datasets": map[string]any{st.input: map[string]any{"columns": []string{"id", "at"}}},
			"output":         map[string]any{"name": st.output}}).expect("report the transformation of "+st.task, http.StatusCreated); err != nil {
			return err
		}
		if _, err := c.Do(ctx, http.MethodPost, "/log/task", map[string]any{"task_id": st.task, "status": "end"}).
			expect("end task "+st.task, http.StatusAccepted); err != nil {
			return err
		}
	}
	return nil
}

// sourceCredentials are the integration's credentials: the admin URL's
// server, the source database and its read-only role (named like it).
func sourceCredentials(admin, database, password string) map[string]any {
	host, port, _, _ := serverOf(admin)
	return map[string]any{"host": host, "port": port, "database": database, "username": database, "password": password, "sslmode": "disable"}
}
