package service_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/alerts"
	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/secrets"
	"github.com/sluice-dev/sluice/service"
	alertsvc "github.com/sluice-dev/sluice/service/alerts"
)

// TestRotateSecretsReencryptsAlertChannels: an alert channel's sealed URL
// and secret are re-encrypted by rotation, so a deployment holding only the
// new key still sends to it.
func TestRotateSecretsReencryptsAlertChannels(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	team, err := env.Service.EnsureTeam(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	name, kind, url := "hook", alerts.KindWebhook, "https://hooks.example.com/path?token=abc"
	ch, err := env.Alerts.CreateChannel(ctx, team, alertsvc.ChannelRequest{Name: &name, Type: &kind, URL: &url})
	if err != nil {
		t.Fatal(err)
	}
	keyA, _ := secrets.ParseKey(env.SecretKey)
	keyB, _ := secrets.ParseKey(mustGenerateKey(t))
	both, _ := secrets.NewKeyring(keyB, keyA)
	onlyB, _ := secrets.NewKeyring(keyB)
	open := func(k *secrets.Keyring) (alerts.ChannelConfig, error) {
		var sealed []byte
		if err := env.Pool.QueryRow(ctx, "SELECT sealed_config FROM alert_channels WHERE id = $1", ch.ID).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		return alerts.OpenConfig(k, ch.ID, sealed)
	}
	if _, err := open(onlyB); err == nil {
		t.Fatal("the new key alone opens a channel sealed under the old one")
	}
	report, err := env.WithKeyring(t, both, nil).Service.RotateSecrets(ctx, service.RotateOptions{})
	if err != nil || len(report.Failed) != 0 || !report.Complete {
		t.Fatalf("rotate: %+v, %v", report, err)
	}
	cfg, err := open(onlyB)
	if err != nil || cfg.URL != url || cfg.Secret != ch.Secret {
		t.Fatalf("after rotation the new key opens %+v, %v", cfg, err)
	}
	// A channel whose ciphertext no key opens is reported, not fatal.
	if _, err := env.Pool.Exec(ctx, "UPDATE alert_channels SET sealed_config = $2 WHERE id = $1", ch.ID, []byte("garbage-ciphertext-000000000000000")); err != nil {
		t.Fatal(err)
	}
	report, err = env.WithKeyring(t, both, nil).Service.RotateSecrets(ctx, service.RotateOptions{})
	if err != nil || len(report.Failed) != 1 || report.Failed[0].AlertChannelID != ch.ID || report.Failed[0].IntegrationID != uuid.Nil {
		t.Fatalf("a damaged channel: %+v, %v", report, err)
	}
}
