package service_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/secrets"
	"github.com/sluice-dev/sluice/service"
	"github.com/sluice-dev/sluice/syncspec"
)

// rotationFixture is integrations of two teams sealed under one key, each
// with its own password. Both teams have at least two, so a first batch of
// two is full whichever team comes first.
type rotationFixture struct {
	env   *testenv.Env
	keyA  []byte
	teams map[uuid.UUID][]uuid.UUID
}

func newRotationFixture(t *testing.T) rotationFixture {
	t.Helper()
	env := testenv.New(t)
	keyA, err := secrets.ParseKey(env.SecretKey)
	if err != nil {
		t.Fatal(err)
	}
	f := rotationFixture{env: env, keyA: keyA, teams: map[uuid.UUID][]uuid.UUID{}}
	ctx := context.Background()
	for team, n := range map[string]int{"acme": 3, "other": 2} {
		teamID, err := env.Service.EnsureTeam(ctx, team)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			f.teams[teamID] = append(f.teams[teamID], createIntegration(t, env.Service, teamID, i))
		}
	}
	return f
}

// createIntegration creates (and so validates for real) a postgres
// integration, or for i == 1 a mysql one whose password MariaDB checks.
func createIntegration(t *testing.T, svc *service.Service, teamID uuid.UUID, i int) uuid.UUID {
	t.Helper()
	in := service.IntegrationInput{Type: "postgres", Credentials: testenv.PostgresCredentials("pw-" + uuid.NewString())}
	if i == 1 {
		in = service.IntegrationInput{Type: "mysql", Credentials: testenv.MySQLUser(t, "my-"+uuid.NewString()[:18])}
	}
	it, err := svc.CreateIntegration(context.Background(), teamID, in)
	if err != nil {
		t.Fatalf("create %s integration: %v", in.Type, err)
	}
	return it.ID
}

// sealedBy counts the stored ciphertexts the keyring's primary key sealed
// and those it did not.
func sealedBy(t *testing.T, env *testenv.Env, kr *secrets.Keyring) (primary, other int) {
	t.Helper()
	rows, err := env.Pool.Query(context.Background(), `SELECT sealed_secrets FROM integrations WHERE sealed_secrets IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var ct []byte
		if err := rows.Scan(&ct); err != nil {
			t.Fatal(err)
		}
		if kr.SealedByPrimary(ct) {
			primary++
		} else {
			other++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return primary, other
}

// assertReadable opens every integration's secrets through svc by querying
// the source, which decrypts them and logs in with them.
func (f rotationFixture) assertReadable(t *testing.T, svc *service.Service) {
	t.Helper()
	for teamID, ids := range f.teams {
		for _, id := range ids {
			if _, err := svc.Query(context.Background(), teamID, id, "SELECT 1 AS one", 1); err != nil {
				t.Fatalf("query integration %s: %v", id, err)
			}
		}
	}
}

// assertWorkerReads syncs a postgres integration that is not yet sealed
// under notYet's primary key through env: the worker loads the row and opens
// the old ciphertext itself, as a worker does mid-rotation.
func (f rotationFixture) assertWorkerReads(t *testing.T, env *testenv.Env, notYet *secrets.Keyring) {
	t.Helper()
	ctx := context.Background()
	rows, err := env.Pool.Query(ctx, `SELECT team_id, id, sealed_secrets FROM integrations WHERE type = 'postgres' AND sealed_secrets IS NOT NULL ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var teamID, id uuid.UUID
	for rows.Next() {
		var tid, iid uuid.UUID
		var ct []byte
		if err := rows.Scan(&tid, &iid, &ct); err != nil {
			t.Fatal(err)
		}
		if !notYet.SealedByPrimary(ct) {
			teamID, id = tid, iid
		}
	}
	rows.Close()
	if id == uuid.Nil {
		t.Fatal("no postgres integration is left under the old key")
	}
	schema := testenv.PostgresSchema(t, `CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 10);`)
	if _, err := env.Service.ConfigureSync(ctx, teamID, id, service.SyncConfigInput{
		DestSchema: "rotated", Schedule: "daily", LoadMethod: "merge", Tables: []syncspec.TableSpec{{Name: schema + ".t"}},
	}); err != nil {
		t.Fatalf("configure sync: %v", err)
	}
	run, err := env.Service.RunSync(ctx, teamID, id)
	if err != nil {
		t.Fatalf("run sync: %v", err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		got, err := env.Service.GetSyncRun(ctx, teamID, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		switch got.Status {
		case "succeeded":
			return
		case "failed", "partially_succeeded", "cancelled":
			t.Fatalf("sync of an integration under the old key: %s (%v)", got.Status, deref(got.Error))
		}
		if time.Now().After(deadline) {
			t.Fatalf("sync still %s after 60s", got.Status)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (f rotationFixture) count() int {
	n := 0
	for _, ids := range f.teams {
		n += len(ids)
	}
	return n
}

func TestRotateSecretsReencryptsUnderTheNewKey(t *testing.T) {
	f := newRotationFixture(t)
	ctx := context.Background()
	keyB, err := secrets.ParseKey(mustGenerateKey(t))
	if err != nil {
		t.Fatal(err)
	}
	both, _ := secrets.NewKeyring(keyB, f.keyA)
	onlyB, _ := secrets.NewKeyring(keyB)
	rolling := f.env.WithKeyring(t, both, nil)
	total := f.count()

	dry, err := rolling.Service.RotateSecrets(ctx, service.RotateOptions{DryRun: true})
	if err != nil || dry.Rotated != total || !dry.Complete {
		t.Fatalf("dry run: %+v, %v", dry, err)
	}
	if b, a := sealedBy(t, f.env, onlyB); b != 0 || a != total {
		t.Fatalf("a dry run wrote: %d under B, %d under A", b, a)
	}

	// Half done: one batch of two, then stop. Old and new ciphertexts are
	// both readable by a keyring holding both keys.
	half, err := rolling.Service.RotateSecrets(ctx, service.RotateOptions{BatchSize: 2, MaxBatches: 1})
	if err != nil || half.Rotated != 2 || half.Batches != 1 || half.Complete {
		t.Fatalf("first batch: %+v, %v", half, err)
	}
	if b, a := sealedBy(t, f.env, onlyB); b != 2 || a != total-2 {
		t.Fatalf("after one batch: %d under B, %d under A", b, a)
	}
	f.assertReadable(t, rolling.Service)
	f.assertWorkerReads(t, rolling, onlyB)

	rest, err := rolling.Service.RotateSecrets(ctx, service.RotateOptions{BatchSize: 2})
	if err != nil || rest.Rotated != total-2 || rest.Current != 2 || len(rest.Failed) != 0 || !rest.Complete || rest.Teams != 2 {
		t.Fatalf("rest: %+v, %v", rest, err)
	}
	if b, a := sealedBy(t, f.env, onlyB); b != total || a != 0 {
		t.Fatalf("after rotation: %d under B, %d under A", b, a)
	}
	again, err := rolling.Service.RotateSecrets(ctx, service.RotateOptions{})
	if err != nil || again.Rotated != 0 || again.Current != total {
		t.Fatalf("re-run: %+v, %v", again, err)
	}

	// A deployment that holds only the new key reads and validates everything:
	// the service opens the secrets, the worker opens them again to validate.
	newOnly := f.env.WithKeyring(t, onlyB, nil)
	f.assertReadable(t, newOnly.Service)
	for teamID, ids := range f.teams {
		for _, id := range ids {
			_, err := newOnly.Service.UpdateIntegration(ctx, teamID, id, service.IntegrationPatch{
				Credentials: map[string]any{"password": service.SecretMarker},
			})
			if err != nil {
				t.Fatalf("revalidate %s with only the new key: %v", id, err)
			}
		}
	}
}

func TestRotateSecretsReportsWhatNoKeyOpens(t *testing.T) {
	f := newRotationFixture(t)
	ctx := context.Background()
	keyB, _ := secrets.ParseKey(mustGenerateKey(t))
	keyC, _ := secrets.ParseKey(mustGenerateKey(t))
	onlyC, _ := secrets.NewKeyring(keyC)
	var acme uuid.UUID
	for teamID, ids := range f.teams {
		if len(ids) == 3 {
			acme = teamID
		}
	}
	stray := createIntegration(t, f.env.WithKeyring(t, onlyC, nil).Service, acme, 0)

	both, _ := secrets.NewKeyring(keyB, f.keyA)
	report, err := f.env.WithKeyring(t, both, nil).Service.RotateSecrets(ctx, service.RotateOptions{BatchSize: 3})
	if err != nil || report.Rotated != f.count() || len(report.Failed) != 1 {
		t.Fatalf("rotation: %+v, %v", report, err)
	}
	failed := report.Failed[0]
	if failed.IntegrationID != stray || failed.TeamID != acme || !errors.Is(failed.Err, secrets.ErrUnknownKey) {
		t.Fatalf("failure: %+v", failed)
	}
	// The stray row is left as it was, still readable with its own key.
	f.teams = map[uuid.UUID][]uuid.UUID{acme: {stray}}
	f.assertReadable(t, f.env.WithKeyring(t, onlyC, nil).Service)
}

func mustGenerateKey(t *testing.T) string {
	t.Helper()
	k, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}
