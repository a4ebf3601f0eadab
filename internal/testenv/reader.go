package testenv

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/db/dbtest"
)

// ReaderRole is the role PostgresCredentials log in as: it may read every
// table (pg_read_all_data) and nothing more, as the README asks of a real
// source. sluice refuses superuser sources unless
// SLUICE_ALLOW_SUPERUSER_SOURCES is set, so tests connect the way a user
// should rather than as the server's superuser.
const ReaderRole = "sluice_test_reader"

var readerOnce struct {
	sync.Once
	err error
}

// ensureReaderRole creates ReaderRole on the local server once per process.
// Test processes run side by side, so a role another one created meanwhile
// is not an error.
func ensureReaderRole() error {
	readerOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dbtest.AdminURL())
		if err != nil {
			readerOnce.err = fmt.Errorf("connect to create %s: %w", ReaderRole, err)
			return
		}
		defer conn.Close(ctx)
		const create = `DO $$ BEGIN
  CREATE ROLE ` + ReaderRole + ` LOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$`
		for attempt := 0; attempt < 5; attempt++ {
			// GRANT of a role already granted only notices; two processes
			// granting at once may fail with "tuple concurrently updated".
			if _, err = conn.Exec(ctx, create); err == nil {
				if _, err = conn.Exec(ctx, "GRANT pg_read_all_data TO "+ReaderRole); err == nil {
					return
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		readerOnce.err = fmt.Errorf("create %s: %w", ReaderRole, err)
	})
	return readerOnce.err
}
