package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/config"
	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/secrets"
	"github.com/sluice-dev/sluice/service"
)

// TestSecretsRotateCommand runs `sluice secrets rotate` as an operator
// would: the environment names the new key and the old one; the command
// prints counts and the new key's id, never a key.
func TestSecretsRotateCommand(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	team, err := env.Service.EnsureTeam(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	it, err := env.Service.CreateIntegration(ctx, team, service.IntegrationInput{
		Type: "postgres", Credentials: testenv.PostgresCredentials("rotate-me-please"),
	})
	if err != nil {
		t.Fatal(err)
	}
	newKey, _ := secrets.GenerateKey()
	rotate := func(secretKey, oldKeys string, args ...string) (string, error) {
		t.Helper()
		t.Setenv("DATABASE_URL", env.DatabaseURL)
		t.Setenv("SLUICE_SECRET_KEY", secretKey)
		t.Setenv("SLUICE_OLD_SECRET_KEYS", oldKeys)
		var out bytes.Buffer
		err := runSecrets(ctx, append([]string{"rotate"}, args...), &out)
		for _, key := range []string{env.SecretKey, newKey} {
			if strings.Contains(out.String(), key) {
				t.Fatalf("the output holds a key: %s", out.String())
			}
		}
		return out.String(), err
	}
	newRing, err := loadKeyring(config.Config{SecretKey: newKey})
	if err != nil {
		t.Fatal(err)
	}

	out, err := rotate(newKey, " ,"+env.SecretKey, "--dry-run")
	if err != nil || !strings.Contains(out, "1 to re-encrypt (dry run, nothing written)") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	out, err = rotate(newKey, env.SecretKey, "--batch-size", "1")
	if err != nil || !strings.Contains(out, "teams 1, batches 1: 1 re-encrypted, 0 already current, 0 failed") ||
		!strings.Contains(out, "sealing key id "+newRing.PrimaryKeyID()) {
		t.Fatalf("rotate: %v\n%s", err, out)
	}
	if out, err = rotate(newKey, ""); err != nil || !strings.Contains(out, "0 re-encrypted, 1 already current") {
		t.Fatalf("re-run with only the new key: %v\n%s", err, out)
	}

	otherKey, _ := secrets.GenerateKey()
	out, err = rotate(otherKey, env.SecretKey)
	if err == nil || !strings.Contains(out, "failed: integration "+it.ID.String()+" of team "+team.String()+": sealed by a key that is neither") {
		t.Fatalf("a key that opens nothing: %v\n%s", err, out)
	}
	if _, err := rotate(newKey, "not-a-key"); err == nil || !strings.Contains(err.Error(), "SLUICE_OLD_SECRET_KEYS: key 1 of the list") {
		t.Fatalf("a bad old key: %v", err)
	}
	if _, err := rotate(newKey, "", "--batch-size", "0"); err == nil {
		t.Fatal("--batch-size 0 accepted")
	}
}
