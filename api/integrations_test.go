package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/internal/testenv"
)

func createPostgres(t *testing.T, env *testenv.Env, token, password string) string {
	t.Helper()
	res := env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{
		"type": "postgres", "name": "Production Database", "credentials": testenv.PostgresCredentials(password),
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("create postgres: %d %s", res.Status, res.Body)
	}
	return res.JSON(t)["integration"].(map[string]any)["id"].(string)
}

func TestAuthentication(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	cases := []struct{ name, header string }{
		{"no header", ""},
		{"wrong scheme", "Token " + token},
		{"bearer without token", "Bearer"},
		{"unknown token", "Bearer slk_doesnotexist"},
		{"not a sluice token", "Bearer abc"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, "/v1/api/integrations", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			rec := newRecorder()
			env.Router.ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("got %d, want 401: %s", rec.Code, rec.Body)
			}
			assertErrorCode(t, rec.Body.Bytes(), "unauthenticated")
		})
	}
	if res := env.Do(t, http.MethodGet, "/v1/api/integrations", token, nil); res.Status != http.StatusOK {
		t.Fatalf("valid token: %d %s", res.Status, res.Body)
	}
}

func TestCreatedTokenWorks(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	res := env.Do(t, http.MethodPost, "/api/tokens", token, map[string]any{"name": "ci"})
	if res.Status != http.StatusCreated {
		t.Fatalf("create token: %d %s", res.Status, res.Body)
	}
	second := res.JSON(t)["token"].(string)
	if second == token {
		t.Fatal("new token equals the old one")
	}
	if res := env.Do(t, http.MethodGet, "/v2/connection", second, nil); res.Status != http.StatusOK {
		t.Fatalf("new token refused: %d %s", res.Status, res.Body)
	}
	var stored int
	if err := env.Pool.QueryRow(context.Background(), "SELECT count(*) FROM api_tokens WHERE token_hash = sha256(convert_to($1, 'UTF8'))", second).Scan(&stored); err != nil || stored != 1 {
		t.Fatalf("token hash stored %d times (err %v), want 1", stored, err)
	}
}

func TestIntegrationLifecycleAcrossFacades(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	id := createPostgres(t, env, token, "first-password")

	list := env.Do(t, http.MethodGet, "/v1/api/integrations?type=postgres", token, nil).JSON(t)["integrations"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["id"] != id {
		t.Fatalf("list postgres: %v", list)
	}
	if others := env.Do(t, http.MethodGet, "/v1/api/integrations?type=mysql", token, nil).JSON(t)["integrations"].([]any); len(others) != 0 {
		t.Fatalf("list mysql: %v", others)
	}

	conn := env.Do(t, http.MethodGet, "/v2/connection/"+id, token, nil).JSON(t)
	if conn["status"].(float64) != 200 || conn["message"] != "success" {
		t.Fatalf("lytics envelope: %v", conn)
	}
	data := conn["data"].(map[string]any)
	if data["id"] != id || data["credentials"].(map[string]any)["password"] != "********" {
		t.Fatalf("lytics get: %v", data)
	}

	// Renaming and sending the marker back keeps the stored password.
	res := env.Do(t, http.MethodPut, "/v1/api/integrations/"+id, token, map[string]any{
		"name": "Renamed", "credentials": map[string]any{"password": "********"},
	})
	if res.Status != http.StatusOK || res.JSON(t)["integration"].(map[string]any)["name"] != "Renamed" {
		t.Fatalf("rename: %d %s", res.Status, res.Body)
	}
	if got := storedSecret(t, env, id, "password"); got != "first-password" {
		t.Fatalf("password after marker PUT = %q, want the original", got)
	}
	res = env.Do(t, http.MethodPut, "/v2/connection/"+id, token, map[string]any{"config": map[string]any{"password": "second-password"}})
	if res.Status != http.StatusOK {
		t.Fatalf("lytics update: %d %s", res.Status, res.Body)
	}
	if got := storedSecret(t, env, id, "password"); got != "second-password" {
		t.Fatalf("password after PUT = %q", got)
	}

	if res := env.Do(t, http.MethodDelete, "/v2/connection/"+id, token, nil); res.Status != http.StatusOK {
		t.Fatalf("delete: %d %s", res.Status, res.Body)
	}
	for _, path := range []string{"/v1/api/integrations/" + id, "/v2/connection/" + id} {
		if res := env.Do(t, http.MethodGet, path, token, nil); res.Status != http.StatusNotFound {
			t.Fatalf("GET %s after delete: %d", path, res.Status)
		}
	}
	if res := env.Do(t, http.MethodPut, "/v1/api/integrations/"+id, token, map[string]any{"name": "x"}); res.Status != http.StatusNotFound {
		t.Fatalf("PUT after delete: %d", res.Status)
	}
	var deleted bool
	var sealed []byte
	if err := env.Pool.QueryRow(context.Background(),
		"SELECT deleted_at IS NOT NULL, sealed_secrets FROM integrations WHERE id = $1", id).Scan(&deleted, &sealed); err != nil {
		t.Fatal(err)
	}
	if !deleted || sealed != nil {
		t.Fatalf("soft delete: deleted=%v sealed=%d bytes; want the row kept and its secrets erased", deleted, len(sealed))
	}
}

func TestMySQLValidatesAgainstMariaDB(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	res := env.Do(t, http.MethodPost, "/v2/connection", token, map[string]any{
		"type": "mysql", "name": "Maria", "config": testenv.MySQLCredentials(),
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("create mysql: %d %s", res.Status, res.Body)
	}
	if res.JSON(t)["data"].(map[string]any)["status"] != "active" {
		t.Fatalf("status: %s", res.Body)
	}
}

func TestFailedValidationSavesNothing(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	wrongPassword := testenv.MySQLCredentials()
	wrongPassword["password"] = "definitely-wrong"
	unknownRole := testenv.PostgresCredentials("")
	unknownRole["username"] = "no_such_role"
	closedPort := testenv.PostgresCredentials("")
	closedPort["port"] = "1"
	cases := []struct {
		name, typ string
		creds     map[string]any
		step      string
	}{
		{"mysql wrong password", "mysql", wrongPassword, "authenticate"},
		{"postgres unknown role", "postgres", unknownRole, "authenticate"},
		{"nothing listening", "postgres", closedPort, "connect"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{"type": tc.typ, "credentials": tc.creds})
			if res.Status != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422: %s", res.Status, res.Body)
			}
			detail := res.JSON(t)["error"].(map[string]any)
			if detail["code"] != "validation_failed" || detail["step"] != tc.step {
				t.Fatalf("error = %v, want validation_failed at %s", detail, tc.step)
			}
		})
	}
	var n int
	if err := env.Pool.QueryRow(context.Background(), "SELECT count(*) FROM integrations WHERE type <> 'ducklake'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d integrations saved after failed validations (err %v)", n, err)
	}
}

func TestTeamsCannotSeeEachOther(t *testing.T) {
	env := testenv.New(t)
	alice, bob := env.Token(t, "alice"), env.Token(t, "bob")
	id := createPostgres(t, env, alice, "alice-secret")
	missing := uuid.NewString()
	for _, target := range []string{id, missing} {
		for _, req := range []struct{ method, path string }{
			{http.MethodGet, "/v1/api/integrations/" + target},
			{http.MethodGet, "/v2/connection/" + target},
			{http.MethodPut, "/v1/api/integrations/" + target},
			{http.MethodDelete, "/v2/connection/" + target},
		} {
			var body any
			if req.method == http.MethodPut {
				body = map[string]any{"name": "stolen"}
			}
			res := env.Do(t, req.method, req.path, bob, body)
			if res.Status != http.StatusNotFound {
				t.Fatalf("bob %s %s: %d %s", req.method, req.path, res.Status, res.Body)
			}
			assertErrorCode(t, res.Body, "not_found")
		}
	}
	for _, it := range env.Do(t, http.MethodGet, "/v1/api/integrations", bob, nil).JSON(t)["integrations"].([]any) {
		if it.(map[string]any)["id"] == id || it.(map[string]any)["type"] != "ducklake" {
			t.Fatalf("bob lists an integration that is not his lake: %v", it)
		}
	}
	if got := env.Do(t, http.MethodGet, "/v1/api/integrations/"+id, alice, nil).JSON(t)["integration"].(map[string]any)["name"]; got != "Production Database" {
		t.Fatalf("alice's integration changed: name %v", got)
	}
}

func TestConnectionConfigCatalog(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	all := env.Do(t, http.MethodGet, "/v2/connectionconfig", token, nil).JSON(t)["data"].([]any)
	slugs := map[string]bool{}
	for _, c := range all {
		slugs[c.(map[string]any)["slug"].(string)] = true
	}
	for _, want := range []string{"postgres", "redshift", "mysql", "sqlserver", "bigquery", "snowflake", "ducklake"} {
		if !slugs[want] {
			t.Errorf("catalog lacks %s", want)
		}
	}
	for _, key := range []string{"postgres", "1", "Postgres", "POSTGRES"} { // slugs are case-insensitive
		res := env.Do(t, http.MethodGet, "/v2/connectionconfig/"+key, token, nil)
		if res.Status != http.StatusOK || res.JSON(t)["data"].(map[string]any)["slug"] != "postgres" {
			t.Fatalf("get %s: %d %s", key, res.Status, res.Body)
		}
	}
	if res := env.Do(t, http.MethodGet, "/v2/connectionconfig/oracle", token, nil); res.Status != http.StatusNotFound {
		t.Fatalf("unknown type: %d", res.Status)
	}
}

func storedSecret(t *testing.T, env *testenv.Env, id, field string) string {
	t.Helper()
	var sealed []byte
	if err := env.Pool.QueryRow(context.Background(), "SELECT sealed_secrets FROM integrations WHERE id = $1", id).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	values := map[string]any{}
	if err := env.Keyring.OpenJSON(sealed, []byte(id), &values); err != nil {
		t.Fatalf("open stored secrets: %v", err)
	}
	return fmt.Sprint(values[field])
}

func TestEveryTeamHasALake(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	lakes := env.Do(t, http.MethodGet, "/v1/api/integrations?type=ducklake", token, nil).JSON(t)["integrations"].([]any)
	if len(lakes) != 1 || lakes[0].(map[string]any)["status"] != "active" {
		t.Fatalf("lakes of a new team: %v", lakes)
	}
	id := lakes[0].(map[string]any)["id"].(string)
	if res := env.Do(t, http.MethodDelete, "/v1/api/integrations/"+id, token, nil); res.Status != http.StatusBadRequest {
		t.Fatalf("deleting the team's lake: %d %s", res.Status, res.Body)
	}
	env.Token(t, "acme") // a second token for the same team makes no second lake
	if again := env.Do(t, http.MethodGet, "/v1/api/integrations?type=ducklake", token, nil).JSON(t)["integrations"].([]any); len(again) != 1 {
		t.Fatalf("lakes after a second token: %d", len(again))
	}
}
