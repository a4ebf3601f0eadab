package service

import (
	"context"
	"net/url"
	"strconv"

	"github.com/sluice-dev/sluice/netguard"
)

// refuseOwnServices answers a ValidationError when a connection's
// destination (host and port, or a URL) is sluice's own database (with the
// same database name) or its Temporal, whatever SLUICE_ALLOW_PRIVATE_NETWORKS
// says. The guard refuses the dial too; checking first gives a clear answer
// before any workflow starts.
func refuseOwnServices(ctx context.Context, config map[string]any) error {
	host, port, ok := destinationOf(config)
	if !ok {
		return nil
	}
	database, _ := config["database"].(string)
	if err := netguard.CheckEndpoint(ctx, host, port, database); err != nil {
		return &ValidationError{Step: "connect", Message: err.Error()}
	}
	return nil
}

// destinationOf reads host and port from a connection's configuration: the
// host and port fields, or an api_url.
func destinationOf(config map[string]any) (string, int, bool) {
	if host, _ := config["host"].(string); host != "" {
		switch p := config["port"].(type) {
		case int64:
			return host, int(p), true
		case float64:
			return host, int(p), true
		}
		return "", 0, false
	}
	raw, _ := config["api_url"].(string)
	u, err := url.Parse(raw)
	if raw == "" || err != nil || u.Hostname() == "" {
		return "", 0, false
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return "", 0, false
	}
	return u.Hostname(), n, true
}
