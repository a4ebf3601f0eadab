package sqlguard

import "strings"

// Why functions are refused. Each completes "function <name> ...".
const (
	whyOutside  = "reaches outside the database"
	whyLocks    = "takes locks"
	whySleeps   = "sleeps (resource abuse)"
	whySignals  = "signals other sessions or the server"
	whyAdmin    = "changes server state"
	whySequence = "writes a sequence"
	whyRunsText = "runs SQL given as text"
)

// funcDeny says which functions a dialect refuses, by exact lower-case name or
// by prefix. Names are matched without their schema, so pg_catalog.pg_read_file
// and "PG_READ_FILE" are both pg_read_file.
type funcDeny struct {
	exact    map[string]string
	prefixes []prefixRule
	// allow lists names a prefix would refuse but that only read.
	allow map[string]bool
}

type prefixRule struct{ prefix, why string }

// refusal returns the reason to refuse a call to name, or "" to allow it.
func (d funcDeny) refusal(name string) string {
	name = strings.ToLower(name)
	if d.allow[name] {
		return ""
	}
	why, ok := d.exact[name]
	if !ok {
		for _, p := range d.prefixes {
			if strings.HasPrefix(name, p.prefix) {
				why, ok = p.why, true
				break
			}
		}
	}
	if !ok {
		return ""
	}
	return "function " + name + " " + why
}

// postgresFuncs are the Postgres (and Redshift) functions that write, lock,
// signal, sleep or reach outside the database. Readers never need them, and the
// read-only transaction does not stop most of them (pg_read_file, pg_sleep,
// pg_advisory_lock and pg_terminate_backend all run fine in one).
var postgresFuncs = funcDeny{
	exact: map[string]string{
		"pg_read_file":        whyOutside,
		"pg_read_binary_file": whyOutside,
		"pg_stat_file":        whyOutside,
		"lo_import":           whyOutside,
		"lo_export":           whyOutside,
		"loread":              "uses large objects",
		"lowrite":             "uses large objects",
		"set_config":          "changes settings",
		"nextval":             whySequence,
		"setval":              whySequence,
		"txid_current":        "assigns a transaction id",
		"pg_current_xact_id":  "assigns a transaction id",
		"pg_notify":           whySignals,

		"pg_terminate_backend":           whySignals,
		"pg_cancel_backend":              whySignals,
		"pg_reload_conf":                 whySignals,
		"pg_rotate_logfile":              whySignals,
		"pg_rotate_logfile_old":          whySignals,
		"pg_log_backend_memory_contexts": whySignals,

		"pg_switch_wal":               whyAdmin,
		"pg_switch_xlog":              whyAdmin,
		"pg_promote":                  whyAdmin,
		"pg_drop_replication_slot":    whyAdmin,
		"pg_replication_slot_advance": whyAdmin,
		"pg_sync_replication_slots":   whyAdmin,
		"pg_import_system_collations": whyAdmin,
		"pg_log_standby_snapshot":     whyAdmin,
		"pg_start_backup":             whyAdmin,
		"pg_stop_backup":              whyAdmin,
	},
	prefixes: []prefixRule{
		{"pg_ls_", whyOutside},
		{"dblink", whyOutside},
		{"lo_", "uses large objects"},
		{"pg_file_", "writes server files"},
		{"pg_advisory_", whyLocks},
		{"pg_try_advisory_", whyLocks},
		{"pg_sleep", whySleeps},
		{"query_to_xml", whyRunsText},
		{"cursor_to_xml", whyRunsText},
		{"table_to_xml", whyRunsText},
		{"schema_to_xml", whyRunsText},
		{"database_to_xml", whyRunsText},
		{"pg_create_", whyAdmin},
		{"pg_copy_", whyAdmin},
		{"pg_logical_", whyAdmin},
		{"pg_replication_origin_", whyAdmin},
		{"pg_backup_", whyAdmin},
		{"pg_stat_reset", whyAdmin},
		{"pg_wal_replay_", whyAdmin},
	},
}

// mysqlFuncs are the MySQL and MariaDB functions that lock, sleep, wait, write
// or reach outside the database.
var mysqlFuncs = funcDeny{
	exact: map[string]string{
		"load_file":                         whyOutside,
		"get_lock":                          whyLocks,
		"release_lock":                      whyLocks,
		"release_all_locks":                 whyLocks,
		"sleep":                             whySleeps,
		"benchmark":                         "burns CPU (resource abuse)",
		"sys_exec":                          "runs shell commands",
		"sys_eval":                          "runs shell commands",
		"master_pos_wait":                   "waits on replication",
		"source_pos_wait":                   "waits on replication",
		"master_gtid_wait":                  "waits on replication",
		"wait_for_executed_gtid_set":        "waits on replication",
		"wait_until_sql_thread_after_gtids": "waits on replication",
		"nextval":                           whySequence,
		"setval":                            whySequence,
	},
}
