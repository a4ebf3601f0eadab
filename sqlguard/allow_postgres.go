package sqlguard

// postgresAllowed is every function a Postgres (or Redshift) query may call:
// the documented built-ins that only compute from their arguments, read the
// catalog or the session's own state, and return. The guard refuses a call
// to any other function, so a function that runs SQL given as text, touches
// the server's files, signals, sleeps, locks or writes is refused without
// anyone having to know it exists (dblink, ts_stat, crosstab and the next
// extension's). A name is matched exactly as the parser reads it (unquoted
// names fold to lower case; "PG_SLEEP" is another function) and only
// unqualified or qualified with pg_catalog.
//
// Deliberately absent, among others: query_to_xml, cursor_to_xml and every
// *_to_xml over a table, schema or database (they run a query); ts_stat and
// ts_rewrite (they take a query's text); pg_read_file, pg_ls_*, pg_stat_file
// and lo_* (server files and large objects); pg_sleep*, pg_advisory_* and
// pg_try_advisory_* (sleeps and locks that outlive the statement);
// pg_terminate_backend, pg_cancel_backend, pg_reload_conf, pg_notify;
// set_config, nextval, setval, setseed, txid_current; pg_tablespace_location
// (a host path).
var postgresAllowed = setOf(
	// Comparison, conditional and general.
	"num_nonnulls", "num_nulls", "greatest", "least", "coalesce", "nullif",
	"pg_typeof", "format_type", "pg_collation_for", "pg_column_size", "pg_column_compression",
	// Mathematics.
	"abs", "cbrt", "ceil", "ceiling", "degrees", "div", "exp", "factorial", "floor", "gcd", "lcm",
	"ln", "log", "log10", "min_scale", "mod", "pi", "power", "pow", "radians", "round", "scale",
	"sign", "sqrt", "trim_scale", "trunc", "width_bucket", "random", "random_normal",
	"acos", "acosd", "asin", "asind", "atan", "atand", "atan2", "atan2d", "cos", "cosd", "cot",
	"cotd", "sin", "sind", "tan", "tand", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
	"erf", "erfc", "gamma", "lgamma", "numeric", "int2", "int4", "int8", "float4", "float8",
	// Strings and bytes.
	"ascii", "bit_length", "btrim", "char_length", "character_length", "chr", "concat", "concat_ws",
	"format", "initcap", "left", "length", "lower", "lpad", "ltrim", "md5", "normalize",
	"is_normalized", "octet_length", "overlay", "parse_ident", "position", "quote_ident",
	"quote_literal", "quote_nullable", "regexp_count", "regexp_instr", "regexp_like",
	"regexp_match", "regexp_matches", "regexp_replace", "regexp_split_to_array",
	"regexp_split_to_table", "regexp_substr", "repeat", "replace", "reverse", "right", "rpad",
	"rtrim", "split_part", "starts_with", "string_to_array", "string_to_table", "strpos",
	"substr", "substring", "to_ascii", "to_hex", "to_bin", "to_oct", "translate", "unistr",
	"upper", "casefold", "similar_to_escape", "similar_escape", "like_escape", "text", "bpchar",
	"varchar", "name", "convert", "convert_from", "convert_to", "decode", "encode", "get_bit",
	"get_byte", "set_bit", "set_byte", "sha224", "sha256", "sha384", "sha512", "crc32", "crc32c",
	"bit_count", "string_agg", "uuid_extract_timestamp", "uuid_extract_version",
	"gen_random_uuid", "uuidv4", "uuidv7", "to_char", "to_number", "to_date", "to_timestamp",
	"bit", "varbit", "length", "bytea",
	// Dates and times.
	"age", "clock_timestamp", "current_date", "current_time", "current_timestamp", "date_add",
	"date_bin", "date_part", "date_subtract", "date_trunc", "extract", "isfinite",
	"justify_days", "justify_hours", "justify_interval", "localtime", "localtimestamp",
	"make_date", "make_interval", "make_time", "make_timestamp", "make_timestamptz", "now",
	"statement_timestamp", "timeofday", "transaction_timestamp", "timezone", "overlaps",
	"date", "time", "timetz", "timestamp", "timestamptz", "interval",
	// Enums, geometry and networks.
	"enum_first", "enum_last", "enum_range", "area", "center", "diameter", "height", "isclosed",
	"isopen", "npoints", "pclose", "popen", "radius", "slope", "width", "box", "bound_box",
	"circle", "line", "lseg", "path", "point", "polygon", "abbrev", "broadcast", "family",
	"host", "hostmask", "inet_merge", "inet_same_family", "masklen", "netmask", "network",
	"set_masklen", "trunc", "macaddr8_set7bit", "inet", "cidr", "macaddr", "macaddr8",
	// Text search (not ts_stat or ts_rewrite, which run a query given as text).
	"array_to_tsvector", "get_current_ts_config", "numnode", "plainto_tsquery",
	"phraseto_tsquery", "websearch_to_tsquery", "querytree", "setweight", "strip",
	"to_tsquery", "to_tsvector", "json_to_tsvector", "jsonb_to_tsvector", "ts_delete",
	"ts_filter", "ts_headline", "ts_rank", "ts_rank_cd", "tsquery_phrase",
	"tsvector_to_array", "ts_debug", "ts_lexize", "ts_parse", "ts_token_type",
	// XML values (not the *_to_xml functions that run a query).
	"xmlcomment", "xmlconcat", "xmlagg", "xmltext", "xml_is_well_formed",
	"xml_is_well_formed_document", "xml_is_well_formed_content", "xpath", "xpath_exists",
	"xmlexists", "xmlvalidate", "xml",
	// JSON.
	"to_json", "to_jsonb", "array_to_json", "row_to_json", "json_build_array",
	"jsonb_build_array", "json_build_object", "jsonb_build_object", "json_object",
	"jsonb_object", "json_array_elements", "jsonb_array_elements", "json_array_elements_text",
	"jsonb_array_elements_text", "json_array_length", "jsonb_array_length", "json_each",
	"jsonb_each", "json_each_text", "jsonb_each_text", "json_extract_path",
	"jsonb_extract_path", "json_extract_path_text", "jsonb_extract_path_text",
	"json_object_keys", "jsonb_object_keys", "json_populate_record", "jsonb_populate_record",
	"jsonb_populate_record_valid", "json_populate_recordset", "jsonb_populate_recordset",
	"json_to_record", "jsonb_to_record", "json_to_recordset", "jsonb_to_recordset",
	"json_strip_nulls", "jsonb_strip_nulls", "jsonb_set", "jsonb_set_lax", "jsonb_insert",
	"jsonb_path_exists", "jsonb_path_match", "jsonb_path_query", "jsonb_path_query_array",
	"jsonb_path_query_first", "jsonb_path_exists_tz", "jsonb_path_match_tz",
	"jsonb_path_query_tz", "jsonb_path_query_array_tz", "jsonb_path_query_first_tz",
	"jsonb_pretty", "json_typeof", "jsonb_typeof", "json_agg", "jsonb_agg", "json_agg_strict",
	"jsonb_agg_strict", "json_object_agg", "jsonb_object_agg", "json_object_agg_strict",
	"jsonb_object_agg_strict", "json_object_agg_unique", "jsonb_object_agg_unique",
	"json_object_agg_unique_strict", "jsonb_object_agg_unique_strict", "jsonb_concat",
	"jsonb_contains", "jsonb_contained", "jsonb_exists", "jsonb_exists_any",
	"jsonb_exists_all", "jsonb_delete", "jsonb_delete_path", "json", "jsonb",
	// Arrays and ranges.
	"array_append", "array_cat", "array_dims", "array_fill", "array_length", "array_lower",
	"array_ndims", "array_position", "array_positions", "array_prepend", "array_remove",
	"array_replace", "array_reverse", "array_sample", "array_shuffle", "array_sort",
	"array_to_string", "array_upper", "cardinality", "trim_array", "unnest", "array_agg",
	"isempty", "lower_inc", "upper_inc", "lower_inf", "upper_inf", "range_merge",
	"range_agg", "range_intersect_agg", "multirange", "int4range", "int8range", "numrange",
	"tsrange", "tstzrange", "daterange", "int4multirange", "int8multirange",
	"nummultirange", "tsmultirange", "tstzmultirange", "datemultirange", "upper", "lower",
	// Set-returning.
	"generate_series", "generate_subscripts",
	// Aggregates.
	"any_value", "avg", "bit_and", "bit_or", "bit_xor", "bool_and", "bool_or", "count", "every",
	"max", "min", "sum", "corr", "covar_pop", "covar_samp", "regr_avgx", "regr_avgy",
	"regr_count", "regr_intercept", "regr_r2", "regr_slope", "regr_sxx", "regr_sxy",
	"regr_syy", "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp",
	"mode", "percentile_cont", "percentile_disc", "rank", "dense_rank", "percent_rank",
	"cume_dist", "grouping",
	// Window functions.
	"row_number", "ntile", "lag", "lead", "first_value", "last_value", "nth_value",
	// Session and catalog information, which only read.
	"current_catalog", "current_database", "current_query", "current_role", "current_schema",
	"current_schemas", "current_user", "session_user", "system_user", "user", "version",
	"inet_client_addr", "inet_client_port", "inet_server_addr", "inet_server_port",
	"pg_backend_pid", "pg_conf_load_time", "pg_postmaster_start_time", "pg_is_in_recovery",
	"pg_current_snapshot", "pg_snapshot_xmin", "pg_snapshot_xmax", "pg_snapshot_xip",
	"pg_visible_in_snapshot", "txid_current_snapshot", "txid_snapshot_xmin",
	"txid_snapshot_xmax", "txid_snapshot_xip", "txid_visible_in_snapshot",
	"pg_jit_available", "pg_trigger_depth", "pg_my_temp_schema", "pg_is_other_temp_schema",
	"current_setting", "currval", "lastval", "pg_get_serial_sequence",
	"has_any_column_privilege", "has_column_privilege", "has_database_privilege",
	"has_foreign_data_wrapper_privilege", "has_function_privilege",
	"has_language_privilege", "has_parameter_privilege", "has_schema_privilege",
	"has_sequence_privilege", "has_server_privilege", "has_table_privilege",
	"has_tablespace_privilege", "has_type_privilege", "pg_has_role",
	"row_security_active", "pg_collation_is_visible", "pg_conversion_is_visible",
	"pg_function_is_visible", "pg_opclass_is_visible", "pg_operator_is_visible",
	"pg_opfamily_is_visible", "pg_statistics_obj_is_visible", "pg_table_is_visible",
	"pg_ts_config_is_visible", "pg_ts_dict_is_visible", "pg_ts_parser_is_visible",
	"pg_ts_template_is_visible", "pg_type_is_visible", "pg_get_constraintdef",
	"pg_get_expr", "pg_get_functiondef", "pg_get_function_arguments",
	"pg_get_function_identity_arguments", "pg_get_function_result", "pg_get_indexdef",
	"pg_get_keywords", "pg_get_partkeydef", "pg_get_ruledef", "pg_get_statisticsobjdef",
	"pg_get_triggerdef", "pg_get_userbyid", "pg_get_viewdef", "pg_index_column_has_property",
	"pg_index_has_property", "pg_indexam_has_property", "pg_options_to_table",
	"pg_tablespace_databases", "to_regclass", "to_regcollation",
	"to_regnamespace", "to_regoper", "to_regoperator", "to_regproc", "to_regprocedure",
	"to_regrole", "to_regtype", "to_regtypemod", "col_description", "obj_description",
	"shobj_description", "pg_describe_object", "pg_identify_object",
	"pg_identify_object_as_address", "pg_get_object_address", "pg_input_is_valid",
	"pg_input_error_info", "pg_column_is_updatable", "pg_relation_is_updatable",
	"pg_get_catalog_foreign_keys", "pg_settings_get_flags", "pg_char_to_encoding",
	"pg_encoding_to_char", "pg_client_encoding", "obj_description",
	"pg_size_pretty", "pg_size_bytes", "pg_column_size", "pg_database_size",
	"pg_indexes_size", "pg_relation_size", "pg_table_size", "pg_total_relation_size",
	"pg_tablespace_size", "pg_relation_filenode", "pg_partition_tree",
	"pg_partition_ancestors", "pg_partition_root", "pg_xact_commit_timestamp",
	"pg_last_committed_xact", "pg_xact_status", "txid_status",
	"age", "mxid_age", "pg_stat_get_numscans", "pg_get_wal_replay_pause_state",
	"pg_last_wal_receive_lsn", "pg_last_wal_replay_lsn", "pg_last_xact_replay_timestamp",
	"pg_current_wal_lsn", "pg_current_wal_insert_lsn", "pg_current_wal_flush_lsn",
	"pg_wal_lsn_diff", "pg_is_wal_replay_paused",
)

// postgresOperators are the operator symbols a query may use: the built-in
// ones of pg_catalog's types. An operator is a function call in disguise,
// so an unknown symbol (an extension's or a user's) is refused like an
// unknown function.
var postgresOperators = setOf(
	"=", "<>", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "^", "|/", "||/", "@", "&",
	"|", "#", "~", "<<", ">>", "||", "~~", "!~~", "~~*", "!~~*", "~*", "!~", "!~*", "^@",
	"->", "->>", "#>", "#>>", "@>", "<@", "?", "?|", "?&", "#-", "@?", "@@", "@@@", "&&",
	"<<=", ">>=", "&<", "&>", "-|-", "<->", "@-@", "##", "~=", "?#", "?-", "?-|", "?||",
	"<^", ">^", "&<|", "|&>", "<<|", "|>>", "!!", "<#>", "<=>",
)

// postgresTableSamples are the TABLESAMPLE methods a query may use: both
// built in; an extension's method is a function like any other.
var postgresTableSamples = setOf("bernoulli", "system")

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// redshiftAllowed are Redshift's own built-ins that Postgres does not have
// (date arithmetic, NVL, LISTAGG, its JSON and hash functions), allowed for
// the Redshift dialect only: on Postgres the same names would be someone's
// user-defined functions.
var redshiftAllowed = setOf(
	"add_months", "convert_timezone", "date_cmp", "date_cmp_timestamp", "date_cmp_timestamptz",
	"dateadd", "datediff", "date_part_year", "dexp", "dlog1", "dlog10", "getdate", "interval_cmp",
	"last_day", "months_between", "next_day", "sysdate", "timeofday", "timestamp_cmp",
	"timestamp_cmp_date", "timestamptz_cmp", "nvl", "nvl2", "decode", "listagg", "median",
	"ratio_to_report", "approximate", "charindex", "len", "strtol", "texteq", "bpcharcmp",
	"btrim", "crc32", "fnv_hash", "func_sha1", "sha1", "sha2", "json_extract_array_element_text",
	"json_extract_path_text", "json_array_length", "json_parse", "json_serialize",
	"json_serialize_to_varbyte", "is_valid_json", "is_valid_json_array", "can_json_parse",
	"is_array", "is_object", "is_scalar", "is_varchar", "is_bigint", "is_boolean", "is_char",
	"is_decimal", "is_float", "is_integer", "is_smallint", "get_array_length", "split_to_array",
	"subarray", "array_concat", "array_flatten", "json_typeof", "to_varbyte", "from_varbyte",
	"current_user_id", "pg_last_query_id", "pg_last_copy_id", "trunc", "space",
	"difference", "soundex", "try_cast", "explode_array",
)
