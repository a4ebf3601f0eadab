package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/db/dbtest"
)

// TestTokenListAndRevoke: tokens could not be listed or revoked, and the CLI's
// never expired. `token list` shows ids, names and prefixes but never a
// token; `token revoke` deletes one; `--expires-in` sets an expiry.
func TestTokenListAndRevoke(t *testing.T) {
	url := dbtest.NewURL(t)
	env := []string{"DATABASE_URL=" + url}
	forever := strings.TrimSpace(runCLI(t, env, "token", "create", "--team", "analytics", "--name", "ci").stdout)
	res := runCLI(t, env, "token", "create", "--team", "analytics", "--name", "weekly", "--expires-in", "7d")
	weekly := strings.TrimSpace(res.stdout)
	if res.code != 0 || !strings.HasPrefix(weekly, "slk_") {
		t.Fatalf("create --expires-in: exit %d, %q %q", res.code, res.stdout, res.stderr)
	}
	if bad := runCLI(t, env, "token", "create", "--team", "analytics", "--expires-in", "soon"); bad.code == 0 || !strings.Contains(bad.stderr, "--expires-in") {
		t.Fatalf("create --expires-in soon: exit %d, %q", bad.code, bad.stderr)
	}

	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var foreverExpiry, weeklyExpiry *time.Time
	if err := conn.QueryRow(context.Background(), "SELECT (SELECT expires_at FROM api_tokens WHERE name = 'ci'), (SELECT expires_at FROM api_tokens WHERE name = 'weekly')").Scan(&foreverExpiry, &weeklyExpiry); err != nil {
		t.Fatal(err)
	}
	if foreverExpiry != nil || weeklyExpiry == nil || time.Until(*weeklyExpiry) < 6*24*time.Hour || time.Until(*weeklyExpiry) > 8*24*time.Hour {
		t.Fatalf("expiries: ci %v (want none), weekly %v (want in 7 days)", foreverExpiry, weeklyExpiry)
	}

	list := runCLI(t, env, "token", "list", "--team", "analytics")
	if list.code != 0 || strings.Contains(list.stdout, forever) || strings.Contains(list.stdout, weekly) ||
		!strings.Contains(list.stdout, forever[:8]) || !strings.Contains(list.stdout, "weekly") || !strings.Contains(list.stdout, "never") {
		t.Fatalf("token list: exit %d, stdout %q, stderr %q", list.code, list.stdout, list.stderr)
	}
	id := regexp.MustCompile(`(?m)^([0-9a-f-]{36})\s+ci\s`).FindStringSubmatch(list.stdout)
	if id == nil {
		t.Fatalf("no id for token ci in %q", list.stdout)
	}
	if other := runCLI(t, env, "token", "revoke", "--team", "nosuchteam", id[1]); other.code == 0 {
		t.Fatalf("revoke under another team name: exit 0, %q", other.stdout)
	}
	if res := runCLI(t, env, "token", "revoke", "--team", "analytics", id[1]); res.code != 0 || !strings.Contains(res.stdout, id[1]) {
		t.Fatalf("revoke: exit %d, %q %q", res.code, res.stdout, res.stderr)
	}
	var left int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM api_tokens WHERE name = 'ci'").Scan(&left); err != nil || left != 0 {
		t.Fatalf("token ci after revoke: %d rows, %v", left, err)
	}
	if again := runCLI(t, env, "token", "revoke", "--team", "analytics", id[1]); again.code == 0 || !strings.Contains(again.stderr, "no token") {
		t.Fatalf("revoke twice: exit %d, %q", again.code, again.stderr)
	}
}
