package postgres

import (
	"context"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/conformance"
	"github.com/sluice-dev/sluice/netguard"
)

// rebindResolver answers an allowed address (the test server) to the first
// lookup and the cloud metadata address to every later one, counting lookups:
// a DNS-rebinding name.
type rebindResolver struct {
	allowed netip.Addr
	calls   atomic.Int32
}

func (r *rebindResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if r.calls.Add(1) == 1 {
		return []netip.Addr{r.allowed}, nil
	}
	return []netip.Addr{netip.MustParseAddr("169.254.169.254")}, nil
}

// TestConnectionsDialTheAddressCheckedOnce: pgx looked the host up again for
// every new pool connection (and every TLS fallback), so a name could answer
// a checked address first and another one later. The connector must look the
// host up once and open every connection to the address that was checked.
func TestConnectionsDialTheAddressCheckedOnce(t *testing.T) {
	netguard.SetAllowPrivate(true)
	pg := conformance.PostgresServer()
	r := &rebindResolver{allowed: netip.MustParseAddr(pg.Host)}
	netguard.SetResolver(r)
	t.Cleanup(func() { netguard.SetResolver(nil) })

	spec, _ := connectors.Lookup("postgres")
	config, secrets, err := spec.Normalize(map[string]any{"host": "rebind.example", "port": pg.Port, "database": "postgres",
		"username": pg.User, "password": "unused-trust", "sslmode": "prefer"})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := poolConfig(connectors.NewCredentials(spec, connectors.MergeValues(config, secrets)))
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	// Three connections held at once: each is a new dial.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var held []*pgxpool.Conn
	for i := range 3 {
		conn, err := pool.Acquire(ctx)
		if err != nil {
			t.Fatalf("connection %d: %v (after %d lookups)", i+1, err, r.calls.Load())
		}
		held = append(held, conn)
	}
	for _, c := range held {
		if got := c.Conn().PgConn().Conn().RemoteAddr().String(); got != pg.Addr() {
			t.Errorf("connection went to %s, want the checked %s", got, pg.Addr())
		}
		c.Release()
	}
	if n := r.calls.Load(); n != 1 {
		t.Fatalf("%d lookups of the host, want 1", n)
	}
}
