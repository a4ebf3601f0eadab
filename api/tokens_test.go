package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-dev/sluice/api"
	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/service"
)

// secondAPI is another API process on the same database: its own pool,
// service and router, sharing nothing in memory with env's.
func secondAPI(t *testing.T, env *testenv.Env) func(method, path, token string) int {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	svc := service.New(pool, env.Temporal, env.Keyring, service.Options{TaskQueue: env.TaskQueue})
	t.Cleanup(svc.Close)
	router := api.NewRouter(svc, api.Options{})
	return func(method, path, token string) int {
		req := httptest.NewRequest(method, path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req)
		return rec.Code
	}
}

// TestTokensExpireListAndRevoke: tokens lived forever and could be neither
// listed nor revoked. A revoked or expired token must be refused at once by
// every API process sharing the database.
func TestTokensExpireListAndRevoke(t *testing.T) {
	env := testenv.New(t)
	admin := env.Token(t, "acme")
	other := env.Token(t, "globex")
	second := secondAPI(t, env)

	res := env.Do(t, http.MethodPost, "/api/tokens", admin, map[string]any{"name": "ci"})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	created := res.JSON(t)
	ci, ciID := created["token"].(string), created["id"].(string)
	expires, err := time.Parse(time.RFC3339, created["expires_at"].(string))
	if err != nil || expires.Sub(time.Now()) < 89*24*time.Hour || expires.Sub(time.Now()) > 91*24*time.Hour {
		t.Fatalf("default expiry of an API token = %v (%v), want about 90 days", created["expires_at"], err)
	}
	if !strings.HasPrefix(ci, created["prefix"].(string)) || len(created["prefix"].(string)) < 6 {
		t.Fatalf("prefix %v of token", created["prefix"])
	}
	res = env.Do(t, http.MethodPost, "/api/tokens", admin, map[string]any{"name": "hourly", "expires_in": "1h"})
	hourly, _ := time.Parse(time.RFC3339, res.JSON(t)["expires_at"].(string))
	if res.Status != http.StatusCreated || hourly.Sub(time.Now()) > time.Hour || hourly.Sub(time.Now()) < 59*time.Minute {
		t.Fatalf("expires_in 1h: %d %s", res.Status, res.Body)
	}
	for _, bad := range []map[string]any{{"expires_in": "soon"}, {"expires_in": -5}, {"expires_in": 1.5},
		{"expires_at": time.Now().Add(-time.Hour).Format(time.RFC3339)}, {"expires_in": 60, "expires_at": time.Now().Add(time.Hour).Format(time.RFC3339)}} {
		if res := env.Do(t, http.MethodPost, "/api/tokens", admin, bad); res.Status != http.StatusBadRequest {
			t.Errorf("POST /api/tokens %v: %d %s, want 400", bad, res.Status, res.Body)
		}
	}

	// The listing shows names and prefixes, never a token or its hash, and only the team's own.
	if code := second(http.MethodGet, "/v2/connection", ci); code != http.StatusOK {
		t.Fatalf("new token on the second API: %d", code)
	}
	res = env.Do(t, http.MethodGet, "/api/tokens", admin, nil)
	list := res.JSON(t)["tokens"].([]any)
	if res.Status != http.StatusOK || len(list) != 3 {
		t.Fatalf("list: %d %s", res.Status, res.Body)
	}
	for _, secret := range []string{ci, admin, other} {
		if strings.Contains(string(res.Body), secret) || strings.Contains(string(res.Body), "hash") {
			t.Fatalf("listing shows a token or hash: %s", res.Body)
		}
	}
	var sawCI bool
	for _, item := range list {
		tok := item.(map[string]any)
		for _, key := range []string{"id", "name", "prefix", "created_at", "last_used_at", "expires_at"} {
			if _, ok := tok[key]; !ok {
				t.Fatalf("token in listing lacks %s: %v", key, tok)
			}
		}
		if tok["id"] == ciID {
			sawCI = true
			if tok["last_used_at"] == nil {
				t.Errorf("last_used_at of a used token is null: %v", tok)
			}
		}
	}
	if !sawCI {
		t.Fatalf("listing lacks the new token: %s", res.Body)
	}

	// Another team can neither see nor revoke it.
	if res := env.Do(t, http.MethodDelete, "/api/tokens/"+ciID, other, nil); res.Status != http.StatusNotFound {
		t.Fatalf("revoke another team's token: %d %s", res.Status, res.Body)
	}
	if body := env.Do(t, http.MethodGet, "/api/tokens", other, nil).Body; strings.Contains(string(body), ciID) {
		t.Fatalf("another team lists the token: %s", body)
	}

	// Revoking the token you are using works, and every API refuses it from then on.
	if res := env.Do(t, http.MethodDelete, "/api/tokens/"+ciID, ci, nil); res.Status != http.StatusOK {
		t.Fatalf("revoke own token: %d %s", res.Status, res.Body)
	}
	if res := env.Do(t, http.MethodGet, "/v2/connection", ci, nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("revoked token on the first API: %d", res.Status)
	}
	if code := second(http.MethodGet, "/v2/connection", ci); code != http.StatusUnauthorized {
		t.Fatalf("revoked token on the second API: %d", code)
	}
	if res := env.Do(t, http.MethodDelete, "/api/tokens/"+ciID, admin, nil); res.Status != http.StatusNotFound {
		t.Fatalf("revoke twice: %d", res.Status)
	}

	// An expired token is refused like a revoked one.
	if _, err := env.Pool.Exec(context.Background(), "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE prefix = $1", other[:8]); err != nil {
		t.Fatal(err)
	}
	if code := second(http.MethodGet, "/v2/connection", other); code != http.StatusUnauthorized {
		t.Fatalf("expired token on the second API: %d", code)
	}
	if res := env.Do(t, http.MethodGet, "/v2/connection", other, nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("expired token on the first API: %d", res.Status)
	}
}

// TestTokenUseIsRecordedAtMostOncePerMinute: last_used_at is written when
// stale, not on every request.
func TestTokenUseIsRecordedAtMostOncePerMinute(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	lastUsed := func() time.Time {
		var at *time.Time
		if err := env.Pool.QueryRow(context.Background(), "SELECT last_used_at FROM api_tokens WHERE prefix = $1", token[:8]).Scan(&at); err != nil || at == nil {
			t.Fatalf("last_used_at: %v %v", at, err)
		}
		return *at
	}
	env.Do(t, http.MethodGet, "/api/tokens", token, nil)
	first := lastUsed()
	for range 5 {
		env.Do(t, http.MethodGet, "/api/tokens", token, nil)
	}
	if again := lastUsed(); !again.Equal(first) {
		t.Fatalf("last_used_at moved from %v to %v within a minute", first, again)
	}
	if _, err := env.Pool.Exec(context.Background(), "UPDATE api_tokens SET last_used_at = now() - interval '2 minutes' WHERE prefix = $1", token[:8]); err != nil {
		t.Fatal(err)
	}
	env.Do(t, http.MethodGet, "/api/tokens", token, nil)
	if stale := lastUsed(); time.Since(stale) > 30*time.Second {
		t.Fatalf("a stale last_used_at was not refreshed: %v", stale)
	}
}
