"""The seed documents' Python examples, end to end, against a local sluice.

Start sluice with `make run`, create the source tables and a role that may
only read them once (sluice refuses a superuser's credentials):

    psql -h 127.0.0.1 -U postgres -d postgres -c "CREATE SCHEMA smoke_src;
      CREATE TABLE smoke_src.users (id int PRIMARY KEY, name text);
      INSERT INTO smoke_src.users SELECT g, 'u' || g FROM generate_series(1, 5000) g;
      CREATE ROLE smoke_reader LOGIN PASSWORD 'secret';
      GRANT USAGE ON SCHEMA smoke_src TO smoke_reader;
      GRANT SELECT ON ALL TABLES IN SCHEMA smoke_src TO smoke_reader;"

then run `python3 examples/seed_flow.py` from the repository root. It lists
and creates integrations (postgres and mysql against the local servers, and a
wrong password that must answer 422), queries, configures and runs a sync of
smoke_src.* into the lake and compares counts, then runs seed 001's metrics and
lineage examples (TASK_ID sent as a string) and reads them back.
"""
import os, sys, time, json
from datetime import datetime
import requests

HOST = os.environ.get("SLUICE_URL", "http://localhost:8080")
API_KEY = open(os.environ.get("SLUICE_TOKEN_FILE", ".sluice/dev-token")).read().strip()
H = {"Authorization": f"Bearer {API_KEY}"}
SRC_SCHEMA = os.environ.get("SMOKE_SCHEMA", "smoke_src")

def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        sys.exit(1)

# 000: list integrations
res = requests.get(f"{HOST}/v1/api/integrations", headers=H).json()
check("data" in res or "integrations" in res, f"list integrations: {list(res)}")
# 000: create postgres
integration = requests.post(f"{HOST}/v1/api/integrations", headers=H, json={"type": "postgres", "name": "Local PG",
    "credentials": {"host": "127.0.0.1", "port": "5432", "database": "postgres", "username": "smoke_reader", "password": "secret"}}).json()
pg_id = integration['integration']['id']
check(bool(pg_id), f"created postgres integration {pg_id}")
my = requests.post(f"{HOST}/v1/api/integrations", headers=H, json={"type": "mysql", "name": "Local MariaDB",
    "credentials": {"host": "127.0.0.1", "port": "3306", "database": "test", "username": "root", "password": ""}})
check(my.status_code == 201, f"created mysql integration: {my.status_code} {my.text[:200]}")
bad = requests.post(f"{HOST}/v1/api/integrations", headers=H, json={"type": "mysql", "name": "Wrong",
    "credentials": {"host": "127.0.0.1", "port": "3306", "database": "test", "username": "root", "password": "nope"}})
check(bad.status_code == 422, f"wrong password -> {bad.status_code} {bad.text[:200]}")
pgs = requests.get(f"{HOST}/v1/api/integrations", params={"type": "postgres"}, headers=H).json()
print("     postgres integrations:", json.dumps(pgs)[:300])

# 000: query
q = requests.post(f"{HOST}/v1/query", headers=H, json={"sql": f"SELECT count(*) AS n FROM {SRC_SCHEMA}.users", "integration_id": pg_id}).json()
check(q.get("data", [{}])[0].get("n") is not None, f"query: {json.dumps(q)[:200]}")
src_n = q["data"][0]["n"]

# 000: configure sync, run, history. Every lake table has one owner, and each
# run of this script creates a new integration, so each gets a dest_schema of
# its own (the seed's POSTGRES_DATA would be a 409 or failed tables the second time).
DEST = os.environ.get("SMOKE_DEST", "POSTGRES_DATA_" + pg_id.split("-")[0])
r = requests.post(f"{HOST}/v1/api/integrations/{pg_id}/sync", headers=H, json={"dest_schema": DEST, "schedule": "daily",
    "tables": [f"{SRC_SCHEMA}.*"], "load_method": "merge"}).json()
check("sync_config" in r, f"sync configured: {json.dumps(r)[:300]}")
run = requests.post(f"{HOST}/v1/api/integrations/{pg_id}/sync/run", headers=H).json()
run_id = run["data"]["id"]
for _ in range(120):
    st = requests.get(f"{HOST}/v1/api/syncs/{run_id}", headers=H).json()["data"]
    if st["status"] in ("succeeded", "failed", "partially_succeeded", "cancelled"):
        break
    time.sleep(1)
check(st["status"] == "succeeded", f"sync run {run_id}: {st['status']} {st.get('error')} tables={[(t['name'], t['status'], t['rows']) for t in st['tables']]}")
lk = requests.post(f"{HOST}/v1/query", headers=H, json={"sql": f"SELECT count(*) AS n, sum(id) AS s FROM {DEST}.users"}).json()
src = requests.post(f"{HOST}/v1/query", headers=H, json={"sql": f"SELECT count(*) AS n, sum(id) AS s FROM {SRC_SCHEMA}.users", "integration_id": pg_id}).json()
check(float(lk["data"][0]["n"]) == float(src["data"][0]["n"]) and float(lk["data"][0]["s"]) == float(src["data"][0]["s"]), f"lake {lk['data']} == source {src['data']}")
history = requests.get(f"{HOST}/v1/api/integrations/{pg_id}/syncs", params={"limit": 50}, headers=H).json()
for run in history["data"]:
    print(f"     Run {run['id']}: {run['status']} at {run['created_at']}")

# 001: metrics example, then lineage example, TASK_ID as string
for example in ("metrics", "lineage"):
    TASK_ID = str(datetime.now())
    if example == "metrics":
        start = {"task_id": TASK_ID, "status": "start", "env": "dev", "app_name": "demo-pipeline", "task_name": "basic_example", "task_type": "python", "app_pit": "2025-09-01"}
    else:
        start = {"task_id": TASK_ID, "status": "start", "app_name": "spark-iceberg-producer", "task_name": "produce-tables", "task_type": "spark", "env": "production", "app_pit": "2025-09-01T10:00:00"}
    s = requests.post(f"{HOST}/log/task", headers=H, json=start); check(s.ok, f"{example} start {s.status_code} {s.text[:150]}")
    if example == "metrics":
        m = requests.post(f"{HOST}/log/metrics", headers=H, json={"task_id": TASK_ID, "metrics": [{"asset_name": "basic_asset_example", "asset_type": "table", "metric_type": "cnt", "value": 12345}]})
        check(m.ok, f"metrics {m.status_code} {m.text[:150]}")
    else:
        tf = requests.post(f"{HOST}/log/tf", headers=H, json={"task_id": TASK_ID, "tf_id": 1, "status": "end",
            "query_str": "CREATE TABLE shared_db.table_b AS SELECT id, name, upper(event_type) as event_type_upper FROM shared_db.table_a",
            "input_datasets": {"shared_db.table_a": {"columns": ["id", "name", "event_type"]}}, "output": {"name": "shared_db.table_b"}})
        check(tf.ok, f"tf {tf.status_code} {tf.text[:150]}")
        ds = requests.post(f"{HOST}/log/dataset", headers=H, json={"task_id": TASK_ID, "tf_id": 1, "ds_name": "shared_db.table_b", "ds_type": "table", "metadata": [
            {"info_type": "schema_field", "info_value": "id-INTEGER", "info_num": 0},
            {"info_type": "schema_field", "info_value": "name-STRING", "info_num": 1},
            {"info_type": "schema_field", "info_value": "event_type_upper-STRING", "info_num": 2}]})
        check(ds.ok, f"dataset {ds.status_code} {ds.text[:150]}")
    e = requests.post(f"{HOST}/log/task", headers=H, json={"task_id": TASK_ID, "status": "end"}); check(e.ok, f"{example} end {e.status_code} {e.text[:150]}")

print("     pipelines:", json.dumps(requests.get(f"{HOST}/api/pipelines", headers=H).json())[:400])
lin = requests.get(f"{HOST}/api/lineage", params={"dataset": "shared_db.table_b", "direction": "upstream", "depth": 3}, headers=H).json()
check(any(n.get("name") == "shared_db.table_a" for n in lin.get("nodes", [])), f"lineage upstream of table_b: {json.dumps(lin)[:300]}")
lin2 = requests.get(f"{HOST}/api/lineage", params={"dataset": f"lake.{DEST}.users", "direction": "upstream", "depth": 3}, headers=H).json()
print("     sync lineage:", json.dumps(lin2)[:300])
mt = requests.get(f"{HOST}/api/metrics", params={"asset_name": "basic_asset_example"}, headers=H).json()
check("12345" in json.dumps(mt), f"metrics series: {json.dumps(mt)[:200]}")
print("all seed examples passed")
