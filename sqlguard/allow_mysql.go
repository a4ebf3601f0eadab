package sqlguard

import "github.com/pingcap/tidb/pkg/parser/ast"

// mysqlAllowed is every function a MySQL or MariaDB query may call: the
// documented built-ins that only compute from their arguments or read the
// session and catalog. Names are as the TiDB parser reports them, which
// includes its names for special syntax (DATE 'x' is ast.DateLiteral, ->> is
// json_unquote over json_extract, MEMBER OF is json_memberof). A stored
// function (db.f(), or an unqualified user-defined function) is not on it.
//
// Deliberately absent, among others: sleep, benchmark (resource abuse);
// get_lock, release_lock, release_all_locks (locks that outlive the
// statement); load_file (server files); master_pos_wait and the other
// replication waits; sys_exec and sys_eval (UDFs that run commands);
// nextval, setval, lastval (sequences).
var mysqlAllowed = setOf(
	// Comparison, flow control, casts and general.
	"coalesce", "greatest", "least", "interval", "isnull", "if", "ifnull", "nullif", "nvl",
	"nvl2", "strcmp", "decode_oracle", "convert", "binary", "default_func",
	// Mathematics.
	"abs", "acos", "asin", "atan", "atan2", "ceil", "ceiling", "conv", "cos", "cot", "crc32",
	"crc32c", "degrees", "exp", "floor", "ln", "log", "log10", "log2", "mod", "pi", "pow",
	"power", "radians", "rand", "round", "sign", "sin", "sqrt", "tan", "truncate", "div",
	// Strings.
	"ascii", "bin", "bit_length", "char", "char_func", "char_length", "character_length",
	"chr", "concat", "concat_ws", "elt", "export_set", "field", "find_in_set", "format",
	"from_base64", "hex", "insert_func", "insert", "instr", "lcase", "left", "length",
	"length_b", "locate", "lower", "lpad", "ltrim", "make_set", "mid", "oct", "octet_length",
	"ord", "position", "quote", "repeat", "replace", "reverse", "right", "rpad", "rtrim",
	"soundex", "space", "substr", "substring", "substring_index", "to_base64", "translate",
	"trim", "ucase", "unhex", "upper", "weight_string", "regexp_instr", "regexp_like",
	"regexp_replace", "regexp_substr", "natural_sort_key", "sformat", "to_char",
	"format_bytes", "format_pico_time", "collation", "charset", "coercibility",
	// Dates and times.
	"adddate", "addtime", "convert_tz", "curdate", "current_date", "current_time",
	"current_timestamp", "curtime", "date", "date_add", "date_format", "date_sub", "datediff",
	"day", "dayname", "dayofmonth", "dayofweek", "dayofyear", "extract", "from_days",
	"from_unixtime", "get_format", "hour", "last_day", "localtime", "localtimestamp",
	"makedate", "maketime", "microsecond", "minute", "month", "monthname", "now",
	"period_add", "period_diff", "quarter", "sec_to_time", "second", "str_to_date",
	"subdate", "subtime", "sysdate", "time", "time_format", "time_to_sec", "timediff",
	"timestamp", "timestampadd", "timestampdiff", "to_days", "to_seconds",
	"unix_timestamp", "utc_date", "utc_time", "utc_timestamp", "week", "weekday",
	"weekofyear", "year", "yearweek", "add_months", "months_between",
	// DATE 'x', TIME 'x' and TIMESTAMP 'x', by the parser's internal names.
	ast.DateLiteral, ast.TimeLiteral, ast.TimestampLiteral,
	// Bits, hashes, encryption of values, UUIDs and network addresses.
	"bit_count", "md5", "sha", "sha1", "sha2", "compress", "uncompress",
	"uncompressed_length", "aes_encrypt", "aes_decrypt", "random_bytes", "uuid",
	"uuid_short", "uuid_to_bin", "bin_to_uuid", "is_uuid", "inet_aton", "inet_ntoa",
	"inet6_aton", "inet6_ntoa", "is_ipv4", "is_ipv6", "is_ipv4_compat", "is_ipv4_mapped",
	"sys_guid", "kdf",
	// JSON.
	"json_array", "json_array_append", "json_array_insert", "json_arrayagg", "json_contains",
	"json_contains_path", "json_depth", "json_extract", "json_insert", "json_keys",
	"json_length", "json_merge", "json_merge_patch", "json_merge_preserve", "json_object",
	"json_objectagg", "json_overlaps", "json_pretty", "json_quote", "json_remove",
	"json_replace", "json_schema_valid", "json_schema_validation_report", "json_search",
	"json_set", "json_storage_free", "json_storage_size", "json_type", "json_unquote",
	"json_valid", "json_value", "json_memberof", "json_compact", "json_detailed",
	"json_loose", "json_exists", "json_query", "json_normalize", "json_equals",
	"json_array_intersect", "json_object_filter_keys", "json_object_to_array",
	// Session and catalog information, which only read.
	"connection_id", "current_role", "current_user",
	"database", "schema", "found_rows", "row_count", "session_user",
	"system_user", "user", "version", "icu_version", "roles_graphml", "is_free_lock",
	"is_used_lock", "format_bytes", "ps_current_thread_id", "ps_thread_id",
	// Aggregates and window functions that the grammar parses as calls.
	"group_concat", "count", "sum", "avg", "min", "max", "bit_and", "bit_or", "bit_xor",
	"std", "stddev", "stddev_pop", "stddev_samp", "var_pop", "var_samp", "variance",
	"median", "percentile_cont", "percentile_disc", "any_value", "grouping",
	"row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
	"first_value", "last_value", "nth_value",
	// Geometry (spatial values; no I/O).
	"st_astext", "st_aswkt", "st_asbinary", "st_aswkb", "st_geomfromtext", "st_geometryfromtext",
	"st_pointfromtext", "st_geomfromwkb", "st_distance", "st_distance_sphere", "st_contains",
	"st_within", "st_intersects", "st_x", "st_y", "st_srid", "st_area", "st_length",
	"st_buffer", "st_centroid", "st_envelope", "st_isvalid", "st_asgeojson", "st_geomfromgeojson",
	"point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
	"geometrycollection", "mbrcontains", "mbrwithin", "mbrintersects",
)
