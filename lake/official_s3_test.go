package lake

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestOfficialClientReadsS3Lake: a stock DuckDB with httpfs and ducklake
// reads a lake sluice keeps in a bucket, with the ATTACH lake/README.md
// shows. The official client built here has no httpfs (it cannot be
// downloaded), so the test skips unless one with httpfs is given.
func TestOfficialClientReadsS3Lake(t *testing.T) {
	cli := officialCLI(t)
	probe := exec.Command(cli, "-batch", "-init", os.DevNull, "-c", "LOAD httpfs") //nolint:gosec // the test's client
	if out, err := probe.CombinedOutput(); err != nil {
		t.Skipf("%s has no httpfs extension and cannot install one offline, so it cannot read s3:// (%v: %s)", cli, err, firstLines(string(out), 2))
	}
	f := newS3Fixture(t)
	f.load("s", "people", people, peopleRows(0, 500, "v1"), LoadAppend)
	f.load("s", "people", people, peopleRows(400, 600, "v2"), LoadMerge, "id")
	wantN, wantSum := f.checksumOn(f.lake, "s.people", QueryOptions{})

	o := newOfficialLake(t, f.fixture, cli)
	endpoint, err := url.Parse(f.srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf(`CREATE SECRET lake_s3 (TYPE s3, KEY_ID %s, SECRET %s, ENDPOINT %s, URL_STYLE 'path', USE_SSL false, REGION 'us-east-1');
ATTACH %s AS lake (READ_ONLY);
SELECT count(*) || ' ' || md5(coalesce(string_agg(name || ':' || amount::VARCHAR, ',' ORDER BY id), '')) FROM lake.s.people;
`, quoteString(f.srv.AccessKey), quoteString(f.srv.SecretKey), quoteString(endpoint.Host), quoteString("ducklake:"+o.catalog))
	ctx, cancel := context.WithTimeout(f.ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, "-batch", "-bail", "-noheader", "-list", "-init", os.DevNull) //nolint:gosec // the test's client
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("official client: %v\n%s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), fmt.Sprintf("%d %s", wantN, wantSum); got != want {
		t.Fatalf("the official client read %q from the bucket, sluice %q", got, want)
	}
}
