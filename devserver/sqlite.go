package devserver

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"go.temporal.io/server/common/config"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	sqliteschema "go.temporal.io/server/schema/sqlite"
)

// sqlStoreName is the name of the data store used for both the default and
// the visibility persistence.
const sqlStoreName = "sqlite-default"

// sqliteConfig returns the SQL persistence config for the database file.
func sqliteConfig(file string) *config.SQL {
	return &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: file,
		// "rwc" opens the file read-write and creates it when missing.
		ConnectAttributes: map[string]string{"mode": "rwc"},
	}
}

// prepareDatabase creates the data directory and the database schema when
// needed, then registers the namespace. Both steps are idempotent, so an
// existing database is reused as is.
func prepareDatabase(opts Options) (*config.SQL, error) {
	if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	file := opts.databaseFile()
	conf := sqliteConfig(file)

	_, err := os.Stat(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := sqliteschema.SetupSchema(conf); err != nil {
			// Drop the half-initialised file so the next start retries.
			_ = os.Remove(file)
			return nil, fmt.Errorf("set up database schema in %s: %w", file, err)
		}
	case err != nil:
		return nil, fmt.Errorf("check database file: %w", err)
	}

	ns, err := sqliteschema.NewNamespaceConfig(clusterName, opts.Namespace, false, nil)
	if err != nil {
		return nil, fmt.Errorf("build namespace %q config: %w", opts.Namespace, err)
	}
	if err := sqliteschema.CreateNamespaces(conf, ns); err != nil {
		return nil, fmt.Errorf("register namespace %q: %w", opts.Namespace, err)
	}
	return conf, nil
}
