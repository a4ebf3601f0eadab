package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/sluice-dev/sluice/alerts"
	"github.com/sluice-dev/sluice/api"
	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/netguard"
	"github.com/sluice-dev/sluice/secrets"
	"github.com/sluice-dev/sluice/service"
	alertsvc "github.com/sluice-dev/sluice/service/alerts"
	lakesvc "github.com/sluice-dev/sluice/service/lake"
	"github.com/sluice-dev/sluice/worker"
)

// Env is one test's sluice stack.
type Env struct {
	// DatabaseURL, SecretKey and DataDir let a test start sluice processes
	// (a worker subprocess) on the same state.
	DatabaseURL string
	SecretKey   string
	DataDir     string
	Pool        *pgxpool.Pool
	Temporal    client.Client
	Keyring     *secrets.Keyring
	Service     *service.Service
	// Lake browses and maintains the teams' lakes.
	Lake      *lakesvc.Service
	Alerts    *alertsvc.Service
	Router    http.Handler
	TaskQueue string
	// Logs receives every log line the API writes, for tests that scan them.
	Logs *SyncBuffer
}

// New builds a stack on a fresh database and a task queue of its own.
func New(t testing.TB) *Env {
	t.Helper()
	return NewWith(t, nil)
}

// NewWith is New with service options adjusted by tune (may be nil).
func NewWith(t testing.TB, tune func(*service.Options)) *Env {
	t.Helper()
	return build(t, tune, true)
}

// NewWithoutWorker is NewWith without an in-process worker: the test runs
// its own (for example a `sluice worker` process it can kill).
func NewWithoutWorker(t testing.TB, tune func(*service.Options)) *Env {
	t.Helper()
	return build(t, tune, false)
}

// NewWithWorker is New with the in-process worker's dependencies adjusted
// by tuneWorker (for example a shorter copy heartbeat timeout).
func NewWithWorker(t testing.TB, tuneWorker func(*worker.Deps)) *Env {
	t.Helper()
	e := build(t, nil, false)
	e.startWorker(t, e.Keyring, tuneWorker)
	return e
}

func build(t testing.TB, tune func(*service.Options), withWorker bool) *Env {
	t.Helper()
	netguard.SetAllowPrivate(true) // the test databases are on loopback
	// As in a sluice process by default: sources log in as ReaderRole.
	connectors.SetAllowSuperuserSources(false)
	dbURL := dbtest.NewURL(t)
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatalf("open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	secretKey, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	key, _ := secrets.ParseKey(secretKey)
	keyring, err := secrets.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	base := &Env{Pool: pool, DatabaseURL: dbURL, SecretKey: secretKey, DataDir: t.TempDir()}
	return base.stack(t, keyring, tune, withWorker)
}

// WithKeyring builds a second stack on the same database and data directory
// whose service and worker hold only the given keyring, on a task queue of
// its own: what a sluice deployment looks like after its secret key changed.
// SecretKey is left empty, since the keyring's keys are not known here.
func (e *Env) WithKeyring(t testing.TB, keyring *secrets.Keyring, tune func(*service.Options)) *Env {
	t.Helper()
	base := &Env{Pool: e.Pool, DatabaseURL: e.DatabaseURL, DataDir: e.DataDir}
	return base.stack(t, keyring, tune, true)
}

// stack starts a service (and, if asked, a worker) over e's database with
// the given keyring and returns e filled in.
func (e *Env) stack(t testing.TB, keyring *secrets.Keyring, tune func(*service.Options), withWorker bool) *Env {
	t.Helper()
	c := TemporalServer().GetDefaultClient()
	queue := "test-" + randomHex(6)
	opts := service.Options{TaskQueue: queue, ValidationTimeout: 20 * time.Second, DataDir: e.DataDir}
	if tune != nil {
		tune(&opts)
	}
	svc := service.New(e.Pool, c, keyring, opts)
	t.Cleanup(svc.Close)
	logs := &SyncBuffer{}
	e.Temporal, e.Keyring, e.Service, e.TaskQueue, e.Logs = c, keyring, svc, queue, logs
	e.Lake = lakesvc.New(e.Pool, c, lakesvc.Options{DataDir: e.DataDir, TaskQueue: queue})
	e.Alerts = alertsvc.New(e.Pool, keyring, alerts.LinkBase{Public: "http://sluice.test"})
	e.Router = api.NewRouter(svc, api.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil)), Lake: e.Lake, Alerts: e.Alerts})
	if withWorker {
		e.startWorker(t, keyring, nil)
	}
	return e
}

// startWorker runs an in-process worker on e's task queue, its dependencies
// adjusted by tune (may be nil).
func (e *Env) startWorker(t testing.TB, keyring *secrets.Keyring, tune func(*worker.Deps)) {
	t.Helper()
	deps := worker.Deps{Keyring: keyring, Pool: e.Pool, TaskQueue: e.TaskQueue, DataDir: e.DataDir,
		SyncReporter: worker.ServiceSyncReporter{Service: e.Service}, Links: alerts.LinkBase{Public: "http://sluice.test"}}
	if tune != nil {
		tune(&deps)
	}
	w := worker.New(e.Temporal, deps)
	if err := w.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	t.Cleanup(w.Stop)
}

// NewKeyring returns a keyring with a fresh random key.
func NewKeyring(t testing.TB) *secrets.Keyring {
	t.Helper()
	enc, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	key, _ := secrets.ParseKey(enc)
	kr, err := secrets.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// Token creates the team if needed and returns a new API token for it.
func (e *Env) Token(t testing.TB, team string) string {
	t.Helper()
	ctx := context.Background()
	id, err := e.Service.EnsureTeam(ctx, team)
	if err != nil {
		t.Fatalf("ensure team %s: %v", team, err)
	}
	tok, err := e.Service.CreateToken(ctx, id, "test")
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	return tok.Secret
}

// Response is a recorded HTTP answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic map, failing the test if it is not an object.
func (r Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object (%v): %s", err, r.Body)
	}
	return m
}

// Do sends a request to the router. body may be nil, a string (sent as is)
// or anything else (sent as JSON). token may be empty.
func (e *Env) Do(t testing.TB, method, path, token string, body any) Response {
	t.Helper()
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		reader = strings.NewReader(b)
	case []byte:
		reader = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		reader = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, reader)
	if reader != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.Router.ServeHTTP(rec, req)
	return Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
