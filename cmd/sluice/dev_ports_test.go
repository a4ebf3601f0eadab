package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/db/dbtest"
)

// TestDevWithTemporalsPortTakenSaysWhatMovesIt holds the port TEMPORAL_ADDRESS
// names: dev must say which variable moves it, and stop before it creates the
// database, the data dir or the secret key.
func TestDevWithTemporalsPortTakenSaysWhatMovesIt(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	name := fmt.Sprintf("sluice_devports_%d", time.Now().UnixNano())
	url := strings.Replace(dbtest.AdminURL(), "/postgres?", "/"+name+"?", 1)
	dataDir := filepath.Join(t.TempDir(), "data")
	cases := []struct {
		env  []string
		want string
	}{
		{[]string{"TEMPORAL_ADDRESS=" + taken.Addr().String(), "SLUICE_HTTP_ADDR=" + freeAddr(t)}, "TEMPORAL_ADDRESS"},
		{[]string{"TEMPORAL_ADDRESS=" + freeAddr(t), "SLUICE_TEMPORAL_UI_PORT=" + portOf(taken.Addr()), "SLUICE_HTTP_ADDR=" + freeAddr(t)}, "SLUICE_TEMPORAL_UI_PORT"},
		{[]string{"TEMPORAL_ADDRESS=" + freeAddr(t), "SLUICE_HTTP_ADDR=" + taken.Addr().String()}, "SLUICE_HTTP_ADDR"},
	}
	for _, tc := range cases {
		res := runCLI(t, append([]string{"DATABASE_URL=" + url, "SLUICE_DATA_DIR=" + dataDir}, tc.env...), "dev")
		if res.code == 0 || !strings.Contains(res.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q: want it to name %s", tc.env, res.code, res.stderr, tc.want)
		}
	}
	if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
		t.Errorf("dev created its data dir before finding a port taken (%v)", err)
	}
	conn, err := pgx.Connect(context.Background(), dbtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(context.Background(), "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil || exists {
		_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		t.Errorf("dev created database %s before finding a port taken (%v)", name, err)
	}
}

func portOf(a net.Addr) string {
	_, port, _ := net.SplitHostPort(a.String())
	return port
}
