package main

import (
	"context"
	"crypto/sha256"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/internal/freeport"
	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/secrets"
)

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// sluiceBinary builds this command once per test run and returns its path.
func sluiceBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sluice-bin-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "sluice")
		cmd := exec.Command("go", "build", "-o", binaryPath, ".")
		cmd.Stderr = os.Stderr
		binaryErr = cmd.Run()
	})
	if binaryErr != nil {
		t.Fatalf("build sluice: %v", binaryErr)
	}
	return binaryPath
}

// cliResult is what one run of the binary printed and how it exited.
type cliResult struct {
	stdout, stderr string
	code           int
}

// runCLI runs the binary with args and only the given environment (plus PATH
// and HOME), so the developer's own SLUICE_* settings cannot leak in.
func runCLI(t *testing.T, env []string, args ...string) cliResult {
	t.Helper()
	cmd := exec.Command(sluiceBinary(t), args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("run sluice %v: %v", args, err)
	}
	return cliResult{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

func TestTokenCreatePrintsOnlyTheToken(t *testing.T) {
	url := dbtest.NewURL(t)
	res := runCLI(t, []string{"DATABASE_URL=" + url}, "token", "create", "--team", "analytics", "--name", "ci")
	if res.code != 0 || !regexp.MustCompile(`^slk_[A-Za-z0-9_-]{20,}\n$`).MatchString(res.stdout) {
		t.Fatalf("token create: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	token := strings.TrimSpace(res.stdout)
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	hash := sha256.Sum256([]byte(token))
	var team, label string
	err = conn.QueryRow(context.Background(), `SELECT t.name, k.name FROM api_tokens k JOIN teams t ON t.id = k.team_id WHERE k.token_hash = $1`, hash[:]).Scan(&team, &label)
	if err != nil || team != "analytics" || label != "ci" {
		t.Fatalf("stored token: team %q, label %q, %v (want the SHA-256 of the printed token, for team analytics)", team, label, err)
	}
	var plaintext int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM api_tokens WHERE encode(token_hash, 'escape') LIKE '%' || $1 || '%'`, token).Scan(&plaintext); err != nil || plaintext != 0 {
		t.Fatalf("the token itself is stored: %d rows, %v", plaintext, err)
	}

	again := runCLI(t, []string{"DATABASE_URL=" + url}, "token", "create", "--team", "analytics")
	if again.code != 0 || strings.TrimSpace(again.stdout) == token {
		t.Fatalf("a second token for the same team: exit %d, %q", again.code, again.stdout)
	}
	if missing := runCLI(t, []string{"DATABASE_URL=" + url}, "token", "create"); missing.code == 0 || !strings.Contains(missing.stderr, "--team is required") || missing.stdout != "" {
		t.Fatalf("token create without --team: exit %d, stdout %q, stderr %q", missing.code, missing.stdout, missing.stderr)
	}
}

func TestMigrateUpDownVersion(t *testing.T) {
	env := []string{"DATABASE_URL=" + dbtest.NewEmptyURL(t)}
	version := func() string {
		t.Helper()
		res := runCLI(t, env, "migrate", "version")
		if res.code != 0 {
			t.Fatalf("migrate version: exit %d: %s", res.code, res.stderr)
		}
		return strings.TrimSpace(res.stdout)
	}
	if v := version(); v != "0" {
		t.Fatalf("version of an empty database = %q, want 0", v)
	}
	if res := runCLI(t, env, "migrate", "up"); res.code != 0 {
		t.Fatalf("migrate up: exit %d: %s", res.code, res.stderr)
	}
	latest := version()
	entries, err := os.ReadDir(filepath.Join("..", "..", "db", "migrations"))
	if err != nil {
		t.Fatal(err)
	}
	ups := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".up.sql") {
			ups++
		}
	}
	if latest != strings.TrimLeft(strings.Split(lastUp(entries), "_")[0], "0") || ups == 0 {
		t.Fatalf("after up: version %q, want the last of %d migrations (%s)", latest, ups, lastUp(entries))
	}
	if res := runCLI(t, env, "migrate", "down"); res.code != 0 {
		t.Fatalf("migrate down: exit %d: %s", res.code, res.stderr)
	}
	if v := version(); v == latest {
		t.Fatalf("migrate down left the version at %s", v)
	}
	if res := runCLI(t, env, "migrate", "up"); res.code != 0 || version() != latest {
		t.Fatalf("migrate up after down: exit %d: %s", res.code, res.stderr)
	}
	if res := runCLI(t, env, "migrate", "sideways"); res.code == 0 || !strings.Contains(res.stderr, "expected up, down or version") {
		t.Fatalf("migrate sideways: exit %d: %s", res.code, res.stderr)
	}
}

// lastUp is the name of the newest up migration.
func lastUp(entries []os.DirEntry) string {
	last := ""
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".up.sql") && e.Name() > last {
			last = e.Name()
		}
	}
	return last
}

func TestProductionCommandsRefuseWithoutSecretKey(t *testing.T) {
	env := []string{"DATABASE_URL=" + dbtest.NewURL(t), "TEMPORAL_ADDRESS=127.0.0.1:1"}
	for _, command := range []string{"api", "worker"} {
		res := runCLI(t, env, command)
		if res.code == 0 || !strings.Contains(res.stderr, "SLUICE_SECRET_KEY is not set") {
			t.Errorf("%s without a secret key: exit %d, stderr %q", command, res.code, res.stderr)
		}
	}
}

func TestUnreachablePostgresIsOneClearLine(t *testing.T) {
	env := []string{"DATABASE_URL=postgres://postgres@localhost:1/sluice?sslmode=disable",
		"SLUICE_SECRET_KEY=" + strings.Repeat("A", 43) + "=", "TEMPORAL_ADDRESS=127.0.0.1:1"}
	for _, args := range [][]string{{"api"}, {"worker"}, {"migrate", "up"}, {"token", "create", "--team", "x"}} {
		res := runCLI(t, env, args...)
		lines := strings.Split(strings.TrimRight(res.stderr, "\n"), "\n")
		if res.code == 0 || len(lines) != 1 || !strings.Contains(lines[0], "cannot reach Postgres") ||
			!strings.Contains(lines[0], "connection refused") || !strings.Contains(lines[0], "set DATABASE_URL") {
			t.Errorf("sluice %v with Postgres down: exit %d, stderr %q (want one line naming the cause and what to do)", args, res.code, res.stderr)
		}
	}
}

// TestBadLakeStorageStopsAtStart: a lake URL that does not parse, or a
// bucket that cannot be reached, is one line at start, not a panic or a
// failure at the first sync.
func TestBadLakeStorageStopsAtStart(t *testing.T) {
	base := []string{"DATABASE_URL=postgres://postgres@localhost:1/sluice?sslmode=disable",
		"SLUICE_SECRET_KEY=" + strings.Repeat("A", 43) + "=", "TEMPORAL_ADDRESS=127.0.0.1:1",
		"AWS_ACCESS_KEY_ID=id", "AWS_SECRET_ACCESS_KEY=do-not-print-me", "AWS_EC2_METADATA_DISABLED=true"}
	for _, c := range []struct{ url, want string }{
		{"s3:///no-bucket", "want s3://bucket/prefix"},
		{"gs://bucket/lake", "want a local directory or s3://bucket/prefix"},
		{"s3://bucket/lake", "list the bucket"},
	} {
		env := append(slices.Clone(base), "SLUICE_LAKE_URL="+c.url, "SLUICE_S3_ENDPOINT=http://127.0.0.1:1", "SLUICE_S3_PATH_STYLE=true")
		for _, command := range []string{"api", "worker"} {
			res := runCLI(t, env, command)
			lines := strings.Split(strings.TrimRight(res.stderr, "\n"), "\n")
			if res.code == 0 || len(lines) != 1 || !strings.Contains(lines[0], c.want) || strings.Contains(res.stderr, "do-not-print-me") {
				t.Errorf("sluice %s with SLUICE_LAKE_URL=%s: exit %d, stderr %q (want one line saying %q)", command, c.url, res.code, res.stderr, c.want)
			}
		}
	}
}

// TestHelpOnEveryCommand: help a user asks for is output, so a script can
// page or grep it: stdout, exit 0, nothing on stderr (secrets --help exited 1).
func TestHelpOnEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"dev", "--help"}, {"api", "--help"}, {"worker", "--help"}, {"migrate", "--help"},
		{"token", "--help"}, {"token", "create", "--help"}, {"sync", "--help"}, {"sync", "list", "--help"}, {"temporal", "--help"},
		{"secrets", "--help"}, {"secrets", "rotate", "--help"}, {"api", "-h"}} {
		res := runCLI(t, nil, args...)
		if res.code != 0 || res.stderr != "" || !strings.Contains(strings.ToLower(res.stdout), "usage") && !strings.Contains(res.stdout, "Flags:") {
			t.Errorf("sluice %v: exit %d, stdout %q, stderr %q", args, res.code, res.stdout, res.stderr)
		}
	}
	if res := runCLI(t, nil, "api", "--no-such-flag"); res.code == 0 || !strings.Contains(res.stderr, "no-such-flag") {
		t.Errorf("a bad flag: exit %d, stderr %q", res.code, res.stderr)
	}
}

// TestAPIAndWorkerListOnlyTheirFlags: each process's --help lists the flags
// it uses, not the other's.
func TestAPIAndWorkerListOnlyTheirFlags(t *testing.T) {
	cases := []struct {
		cmd        string
		has, lacks []string
	}{
		{"api", []string{"-http-addr", "-query-max-rows", "-llm-model", "-database-url"}, []string{"-copy-chunk-rows", "-lake-orphan-grace", "-copy-heartbeat-timeout"}},
		{"worker", []string{"-copy-chunk-rows", "-lake-orphan-grace", "-database-url", "-embeddings-provider"}, []string{"-http-addr", "-query-max-rows", "-max-in-flight", "-scan-rate", "-llm-model", "-validation-timeout"}},
		{"dev", []string{"-http-addr", "-copy-chunk-rows", "-ui-port"}, nil},
		{"sync", []string{"-temporal-address", "-team", "-json"}, []string{"-http-addr", "-copy-chunk-rows", "-secret-key"}},
	}
	for _, tc := range cases {
		args := []string{tc.cmd, "--help"}
		if tc.cmd == "sync" {
			args = []string{"sync", "list", "--help"}
		}
		out := runCLI(t, nil, args...).stdout
		for _, f := range tc.has {
			if !strings.Contains(out, "  "+f+" ") && !strings.Contains(out, "  "+f+"\n") {
				t.Errorf("%s --help lacks %s:\n%s", tc.cmd, f, out)
			}
		}
		for _, f := range tc.lacks {
			if strings.Contains(out, "  "+f+" ") || strings.Contains(out, "  "+f+"\n") {
				t.Errorf("%s --help lists %s, which it does not use", tc.cmd, f)
			}
		}
	}
}

// TestAPIServesHealthReadinessAndMetrics starts a real `sluice api` process
// against a test database and the in-process Temporal server, and checks the
// unauthenticated operational endpoints.
func TestAPIServesHealthReadinessAndMetrics(t *testing.T) {
	ts := testenv.TemporalServer()
	addr := freeAddr(t)
	key, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sluiceBinary(t), "api")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "DATABASE_URL=" + dbtest.NewURL(t),
		"SLUICE_SECRET_KEY=" + key, "SLUICE_HTTP_ADDR=" + addr, "SLUICE_DATA_DIR=" + t.TempDir(),
		"TEMPORAL_ADDRESS=" + ts.GetFrontendHostPort(), "TEMPORAL_NAMESPACE=" + ts.GetDefaultNamespace()}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	get := func(path string) (int, string) {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	waitFor(t, time.Minute, "sluice api to listen", func() bool { code, _ := get("/healthz"); return code == http.StatusOK })
	if code, body := get("/readyz"); code != http.StatusOK || !strings.Contains(body, "ready") {
		t.Fatalf("/readyz with Postgres and Temporal up: %d %s\n%s", code, body, stderr.String())
	}
	if code, _ := get("/v1/api/integrations"); code != http.StatusUnauthorized {
		t.Fatalf("unauthenticated list: %d, want 401", code)
	}
	code, metrics := get("/metrics")
	want := `sluice_http_requests_total{method="GET",route="/v1/api/integrations",status="401"} 1`
	if code != http.StatusOK || !strings.Contains(metrics, want) {
		t.Fatalf("/metrics: %d, missing %s in:\n%s", code, want, grepLines(metrics, "sluice_http_requests_total"))
	}
	if !strings.Contains(metrics, "temporal_") {
		t.Fatalf("/metrics has no Temporal SDK metrics:\n%.2000s", metrics)
	}
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	port, err := freeport.Port()
	if err != nil {
		t.Fatal(err)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// grepLines keeps the lines of text that contain s.
func grepLines(text, s string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func TestInvalidEnvironmentIsRefusedByName(t *testing.T) {
	res := runCLI(t, []string{"SLUICE_QUERY_MAX_ROWS=lots", "SLUICE_SCAN_RATE=10 per 10s", "SLUICE_QUERY_TIMEOUT=30",
		"SLUICE_LAKE_CACHE_BYTES=10GiB", "SLUICE_S3_PATH_STYLE=maybe"}, "migrate", "version")
	for _, want := range []string{`SLUICE_QUERY_MAX_ROWS="lots" is not an integer`, `SLUICE_SCAN_RATE="10 per 10s"`, `SLUICE_QUERY_TIMEOUT="30" is not a duration`,
		`SLUICE_LAKE_CACHE_BYTES="10GiB" is not a byte count`, `SLUICE_S3_PATH_STYLE="maybe" is not true or false`} {
		if res.code != 2 || !strings.Contains(res.stderr, want) {
			t.Errorf("exit %d, stderr %q: want exit 2 naming %s", res.code, res.stderr, want)
		}
	}
}
