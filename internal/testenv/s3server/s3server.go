// Package s3server gives tests a real S3-compatible server: versitygw
// (github.com/versity/versitygw), which serves a local directory over the S3
// API, started on a free loopback port for one test and stopped after it.
package s3server

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluice-dev/sluice/internal/freeport"
)

// Version is the versitygw release the tests run (.ci/run builds it).
const Version = "v1.8.0"

// Server is a running versitygw with one bucket.
type Server struct {
	// Endpoint is the server's URL (http://127.0.0.1:port).
	Endpoint string
	// AccessKey and SecretKey are the root account's credentials.
	AccessKey, SecretKey string
	// Bucket exists and is empty when Start returns.
	Bucket string
	// Dir is the directory versitygw keeps the buckets in.
	Dir string

	bin, addr, logPath string
	stop               func()
}

// Start runs versitygw for the test. The binary is $SLUICE_VERSITYGW, else
// ~/.cache/sluice/versitygw-<Version>/versitygw (where .ci/run builds it).
// Without it the test skips, unless SLUICE_REQUIRE_S3 is set: then it fails.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := binary()
	if err != nil {
		if os.Getenv("SLUICE_REQUIRE_S3") != "" {
			t.Fatalf("SLUICE_REQUIRE_S3 is set but versitygw is not available: %v", err)
		}
		t.Skipf("versitygw is not available (%v); set SLUICE_VERSITYGW or run GOBIN=<dir> go install github.com/versity/versitygw/cmd/versitygw@%s", err, Version)
	}
	port, err := freeport.Port()
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	s := &Server{Endpoint: "http://" + addr, AccessKey: "sluicetest", SecretKey: "sluicetestsecret", Bucket: "lake", Dir: t.TempDir(),
		bin: bin, addr: addr, logPath: filepath.Join(t.TempDir(), "versitygw.log")}
	s.launch(t)
	t.Cleanup(s.Stop)
	s.waitFor(t, func(client *s3.Client) error {
		_, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(s.Bucket)})
		return err
	})
	return s
}

// Stop stops the server (its buckets stay in Dir); a stopped server is an
// outage for whoever uses it, until Restart.
func (s *Server) Stop() {
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
}

// Restart starts the stopped server again on the same address and
// directory, and waits until it answers.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	s.launch(t)
	s.waitFor(t, func(client *s3.Client) error {
		_, err := client.HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: aws.String(s.Bucket)})
		return err
	})
}

// launch starts the versitygw process, its output appended to the log.
func (s *Server) launch(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, s.bin, "--access", s.AccessKey, "--secret", s.SecretKey, "--port", s.addr, "posix", s.Dir) //nolint:gosec // the test's own server
	logFile, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)                                         //nolint:gosec // in the test's directory
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		cancel()
		_ = logFile.Close()
		t.Fatalf("start versitygw: %v", err)
	}
	s.stop = func() {
		cancel()
		_ = cmd.Wait()
		_ = logFile.Close()
	}
}

// waitFor retries ready until it succeeds, for at most 30 seconds.
func (s *Server) waitFor(t testing.TB, ready func(*s3.Client) error) {
	t.Helper()
	client := s.Client()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := ready(client)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(s.logPath) //nolint:gosec // the test's own log
			t.Fatalf("versitygw at %s: %v\n%s", s.Endpoint, err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// URL returns s3://<bucket>/<prefix>.
func (s *Server) URL(prefix string) string { return "s3://" + s.Bucket + "/" + prefix }

// Setenv gives the test's process the server's credentials as the standard
// AWS variables, which lake storage reads.
func (s *Server) Setenv(t testing.TB) {
	t.Helper()
	for k, v := range s.Env() {
		t.Setenv(k, v)
	}
}

// Env is the environment a sluice process needs to use the server (with
// SLUICE_LAKE_URL set by the caller).
func (s *Server) Env() map[string]string {
	return map[string]string{
		"AWS_ACCESS_KEY_ID":     s.AccessKey,
		"AWS_SECRET_ACCESS_KEY": s.SecretKey,
		"AWS_REGION":            "us-east-1",
		"SLUICE_S3_ENDPOINT":    s.Endpoint,
		"SLUICE_S3_PATH_STYLE":  "true",
	}
}

// Client returns an S3 client of the server, for tests to look at objects.
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	})
}

func binary() (string, error) {
	bin := os.Getenv("SLUICE_VERSITYGW")
	if bin == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		bin = filepath.Join(cache, "sluice", "versitygw-"+Version, "versitygw")
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("versitygw: %w", err)
	}
	return bin, nil
}
