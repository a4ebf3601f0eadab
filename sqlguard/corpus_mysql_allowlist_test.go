package sqlguard

import (
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// mysqlAllowlistAttempts are calls the MySQL allowlist refuses: stored and
// user-defined functions, qualified or quoted, and denied functions hidden in
// subqueries, CTEs, derived tables, window and ORDER BY clauses.
var mysqlAllowlistAttempts = []attempt{
	write(`SELECT evil_udf(1)`, `^function evil_udf is not on the allowlist of read-only functions$`),
	write("SELECT `evil_udf`(1)", `^function evil_udf is not on the allowlist`),
	write(`SELECT test.evil(1)`, `^function test\.evil is not on the allowlist of read-only functions: only built-in`),
	write("SELECT `test`.`lower`('x')", `^function test\.lower is not on the allowlist`),
	write(`SELECT sys_exec('id')`, `^function sys_exec runs shell commands$`),
	write(`SELECT SLEEP(1)`, `^function sleep sleeps`),
	write("SELECT `SLEEP`(1)", `^function sleep sleeps`),
	write(`SELECT BENCHMARK(1000000, MD5('x'))`, `^function benchmark`),
	write(`SELECT GET_LOCK('x', 1)`, `^function get_lock takes locks$`),
	write(`SELECT LOAD_FILE('/etc/passwd')`, `^function load_file reaches outside`),
	write(`SELECT LAST_INSERT_ID(5)`, `^function last_insert_id is not on the allowlist`),
	write(`SELECT * FROM items WHERE id = (SELECT MAX(evil(id)) FROM items)`, `^function evil`),
	write(`WITH x AS (SELECT SLEEP(1) AS s) SELECT * FROM x`, `^function sleep`),
	write(`SELECT * FROM (SELECT GET_LOCK('x', 0) AS l) AS d`, `^function get_lock`),
	write(`SELECT RANK() OVER (ORDER BY evil(id)) FROM items`, `^function evil`),
	write(`SELECT id FROM items ORDER BY evil(id)`, `^function evil`),
	write(`SELECT id FROM items GROUP BY id HAVING evil(id)`, `^function evil`),
	write(`SELECT CAST(evil(1) AS CHAR)`, `^function evil`),
	write(`EXPLAIN SELECT evil(1)`, `^function evil`),
}

// mysqlAllowedReads call built-ins through the syntax the grammar turns into
// calls, and name dangerous functions only as data.
var mysqlAllowedReads = []string{
	`SELECT DATE_ADD(NOW(), INTERVAL 1 DAY), NOW() + INTERVAL 1 DAY, EXTRACT(YEAR FROM NOW()), DATE '2020-01-01', TIMESTAMP '2020-01-01 00:00:00'`,
	`SELECT TRIM(BOTH 'x' FROM 'xax'), SUBSTRING('abc' FROM 2 FOR 1), POSITION('b' IN 'abc'), CHAR(65 USING utf8mb4), CONVERT('a' USING utf8mb4)`,
	`SELECT CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_USER, UTC_TIMESTAMP(), CAST('1' AS SIGNED), IF(1, 2, 3), IFNULL(NULL, 1), COALESCE(NULL, 1)`,
	`SELECT JSON_EXTRACT('{"a": 1}', '$.a'), JSON_UNQUOTE(JSON_EXTRACT('{"a": "x"}', '$.a')), JSON_OBJECT('a', 1), JSON_ARRAYAGG(id) FROM items`,
	`SELECT GROUP_CONCAT(name ORDER BY name SEPARATOR ','), COUNT(DISTINCT id), STDDEV(qty), BIT_OR(qty) FROM items`,
	`SELECT ROW_NUMBER() OVER w, LAG(qty) OVER w, NTILE(2) OVER w FROM items WINDOW w AS (ORDER BY id)`,
	`SELECT LOWER('SELECT SLEEP(10)'), 'GET_LOCK(1)' AS load_file, MD5('x'), UUID() IS NOT NULL, DATE_FORMAT(NOW(), '%Y')`,
	`SELECT id FROM items WHERE name LIKE 'a%' AND name REGEXP '^a' AND qty BETWEEN 1 AND 5 AND id IN (1, 2) AND id DIV 2 = 0`,
}

// TestCheckMySQLAllowlist runs the MySQL allowlist's attempts and reads.
func TestCheckMySQLAllowlist(t *testing.T) {
	checkCorpus(t, connectors.DialectMySQL, mysqlAllowlistAttempts, mysqlAllowedReads)
}
