package netguard

import (
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// OwnEndpoints lists sluice's own services from its configuration: the
// database of databaseURL (every host of it, for a URL that names several),
// the Temporal frontend at temporalAddress and, when uiPort is not zero, the
// Temporal UI on the frontend's host. A host given as a Unix socket is taken
// as this machine on the URL's port.
func OwnEndpoints(databaseURL, temporalAddress string, uiPort int) ([]Endpoint, error) {
	cfg, err := pgconn.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("read sluice's database address: %w", err)
	}
	const db = "sluice's own database"
	hostOf := func(h string) string {
		if len(h) > 0 && h[0] == '/' {
			return "localhost"
		}
		return h
	}
	out := []Endpoint{{What: db, Host: hostOf(cfg.Host), Port: int(cfg.Port), Database: cfg.Database}}
	for _, fb := range cfg.Fallbacks {
		ep := Endpoint{What: db, Host: hostOf(fb.Host), Port: int(fb.Port), Database: cfg.Database}
		if ep.Host != out[0].Host || ep.Port != out[0].Port {
			out = append(out, ep)
		}
	}
	if temporalAddress != "" {
		frontend, err := EndpointFromHostPort("sluice's Temporal frontend", temporalAddress)
		if err != nil {
			return nil, err
		}
		out = append(out, frontend)
		if uiPort > 0 {
			out = append(out, Endpoint{What: "sluice's Temporal UI", Host: frontend.Host, Port: uiPort})
		}
	}
	return out, nil
}
