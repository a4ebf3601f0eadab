package main

import (
	"context"
	"fmt"
	"io"

	"github.com/sluice-dev/sluice/config"
	"github.com/sluice-dev/sluice/db"
)

func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	cfg := config.FromEnv()
	fs := newFlagSet("migrate", "Usage: sluice migrate up|down|version\n\n  up       apply every pending migration\n  down     roll back the last migration\n  version  print the applied version")
	cfg.BindDatabase(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("expected one of up, down, version")
	}
	pool, err := openPool(ctx, cfg) // fails early with a clear message when Postgres is down
	if err != nil {
		return err
	}
	pool.Close()
	m, err := db.NewMigrator(cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer m.Close()
	switch fs.Arg(0) {
	case "up":
		return m.Up()
	case "down":
		return m.Down()
	case "version":
		v, dirty, err := m.Version()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d", v)
		if dirty {
			fmt.Fprint(stdout, " (dirty: the last migration failed halfway; fix it and force the version)")
		}
		fmt.Fprintln(stdout)
		return nil
	}
	return fmt.Errorf("unknown migrate action %q: expected up, down or version", fs.Arg(0))
}
