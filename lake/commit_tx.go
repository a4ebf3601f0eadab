package lake

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// commitTx is one commit attempt: the transaction, the snapshot it builds on
// and the counters and changes of the snapshot it writes.
type commitTx struct {
	l    *Lake
	tx   pgx.Tx
	prev snapshot
	// id is the new snapshot's id; the counters are the next free ids.
	id, schemaVersion, nextCatalogID, nextFileID int64
	schemaChanged                                bool
	// tablesChanged are tables whose schema this snapshot changes.
	tablesChanged map[int64]bool
	changes       []string
	dataChanged   bool
	// created are files this attempt wrote (removed if it fails); obsolete
	// are staged files it replaced (removed once it succeeds).
	created, obsolete []string
	duck              *duck
	formats           map[int64]fileFormat // by table id, see fileFormat
}

func (ct *commitTx) start() {
	ct.id = ct.prev.ID + 1
	ct.schemaVersion = ct.prev.SchemaVersion
	ct.nextCatalogID = ct.prev.NextCatalogID
	ct.nextFileID = ct.prev.NextFileID
}

func (ct *commitTx) catalogID() int64 { ct.nextCatalogID++; return ct.nextCatalogID - 1 }
func (ct *commitTx) fileID() int64    { ct.nextFileID++; return ct.nextFileID - 1 }

// change records a change in the specification's changes_made grammar.
func (ct *commitTx) change(kind string, arg any) {
	c := fmt.Sprintf("%s:%v", kind, arg)
	if !slices.Contains(ct.changes, c) {
		ct.changes = append(ct.changes, c)
	}
}

// alter marks a table's schema as changed by this snapshot.
func (ct *commitTx) alter(tableID int64) {
	ct.schemaChanged = true
	ct.tablesChanged[tableID] = true
}

func (ct *commitTx) changed() bool { return ct.schemaChanged || ct.dataChanged }

func (ct *commitTx) exec(ctx context.Context, sql string, args ...any) error {
	if _, err := ct.tx.Exec(ctx, ct.l.q(sql), args...); err != nil {
		return fmt.Errorf("%s: %w", strings.Fields(sql)[0]+" "+firstTable(sql), err)
	}
	return nil
}

// firstTable names the catalog table a statement touches, for error messages.
func firstTable(sql string) string {
	if i := strings.Index(sql, "{S}."); i >= 0 {
		rest := sql[i+4:]
		if j := strings.IndexAny(rest, " (\n"); j > 0 {
			return rest[:j]
		}
		return rest
	}
	return ""
}

// getDuck opens the attempt's DuckDB on first use.
func (ct *commitTx) getDuck(ctx context.Context) (*duck, error) {
	if ct.duck == nil {
		writers.closeIdle() // the merge may need their memory
		d, err := openDuck(ctx, ct.l.Limits.WriterMemory, 2)
		if err != nil {
			return nil, err
		}
		ct.duck = d
	}
	return ct.duck, nil
}

func (ct *commitTx) closeDuck() { ct.duck.Close() }

// apply makes the request's changes in the transaction.
func (ct *commitTx) apply(ctx context.Context, req CommitRequest) (CommitResult, error) {
	var res CommitResult
	table, plan, err := ct.prepareTable(ctx, req)
	if err != nil {
		return res, err
	}
	files, err := ct.conformFiles(ctx, table, plan, req.Files)
	if err != nil {
		return res, err
	}
	// Only a merge reads the live files: the others list them (readFiles).
	byTable, err := ct.l.readFiles(ctx, ct.tx, ct.prev.ID, &table.ID)
	if err != nil {
		return res, err
	}
	live := byTable[table.ID]
	if req.Method == LoadMerge && len(files)+len(req.DeletedKeys) > 0 {
		if err := ct.l.fetchFiles(ctx, table, live); err != nil {
			return res, err
		}
	}
	if req.Method == LoadOverwrite {
		if err := ct.endFiles(ctx, table, live); err != nil {
			return res, err
		}
	}
	ids, err := ct.insertDataFiles(ctx, table, files)
	if err != nil {
		return res, err
	}
	for _, f := range files {
		res.RowsWritten += f.Rows
		res.BytesWritten += f.SizeBytes
	}
	if req.Method == LoadMerge && len(files)+len(req.DeletedKeys) > 0 {
		dups, err := ct.merge(ctx, table, plan, req.PrimaryKeys, live, files, ids, req.DeletedKeys, req.DeletedKeysAfter)
		if err != nil {
			return res, err
		}
		res.RowsWritten -= dups
	}
	if len(files) > 0 {
		ct.change("inserted_into_table", table.ID)
		ct.dataChanged = true
	}
	if ct.dataChanged {
		if err := ct.updateTableStats(ctx, table, plan, files); err != nil {
			return res, err
		}
	}
	return res, nil
}

// finish writes the snapshot, its schema versions and its changes.
func (ct *commitTx) finish(ctx context.Context) error {
	if ct.schemaChanged {
		ct.schemaVersion++
		tables := make([]int64, 0, len(ct.tablesChanged))
		for id := range ct.tablesChanged {
			tables = append(tables, id)
		}
		sort.Slice(tables, func(i, j int) bool { return tables[i] < tables[j] })
		for _, id := range tables {
			if err := ct.exec(ctx, `INSERT INTO {S}.ducklake_schema_versions VALUES ($1, $2, $3)`, ct.id, ct.schemaVersion, id); err != nil {
				return err
			}
		}
	}
	// A snapshot's time never precedes its predecessor's, so time travel by
	// timestamp finds snapshots in id order even when commits waited on the lock.
	if err := ct.exec(ctx, `INSERT INTO {S}.ducklake_snapshot VALUES
		($1, GREATEST(clock_timestamp(), $2::timestamptz + interval '1 microsecond'), $3, $4, $5)`,
		ct.id, ct.prev.Time, ct.schemaVersion, ct.nextCatalogID, ct.nextFileID); err != nil {
		return err
	}
	return ct.exec(ctx, `INSERT INTO {S}.ducklake_snapshot_changes VALUES ($1, $2, NULL, NULL, NULL)`,
		ct.id, strings.Join(ct.changes, ","))
}

// quoteName quotes a name the way changes_made does: SQL-style double quotes.
func quoteName(name string) string { return quoteIdent(name) }

// fileFormat is the format of t's new files (see fileFormatFor), as this
// transaction sees the lake's options, read once per table.
func (ct *commitTx) fileFormat(ctx context.Context, t *lakeTable) (fileFormat, error) {
	if f, ok := ct.formats[t.ID]; ok {
		return f, nil
	}
	f, err := ct.l.fileFormatFor(ctx, ct.tx, t.Schema, t)
	if err != nil {
		return f, err
	}
	if ct.formats == nil {
		ct.formats = map[int64]fileFormat{}
	}
	ct.formats[t.ID] = f
	return f, nil
}

// discard removes a file this attempt wrote and turned out not to need.
func (ct *commitTx) discard(path string) {
	ct.created = slices.DeleteFunc(ct.created, func(p string) bool { return p == path })
	_ = os.Remove(path)
}
