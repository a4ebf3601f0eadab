package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sluice-dev/sluice/internal/freeport"
)

// Stack is one `sluice dev` process with its own database, data dir and ports.
type Stack struct {
	// BaseURL is the HTTP API, e.g. http://127.0.0.1:41234.
	BaseURL string
	// Token is the default team's API token, read from <data dir>/dev-token.
	Token string
	// Database is the name of sluice's own database.
	Database string
	// DataDir holds the secret key, the dev token, the lake and the log.
	DataDir string
	// LogPath is where the process's stdout and stderr go.
	LogPath string

	admin string
	cmd   *exec.Cmd
	done  chan error
}

// startTimeout bounds how long the stack may take to answer /readyz.
const startTimeout = 3 * time.Minute

// StartStack runs bin as `sluice dev` on a fresh database created next to
// admin (a Postgres URL the harness may create databases from), with env
// (NAME=value) added to its environment, and waits until it is ready and
// has written its token.
func StartStack(ctx context.Context, bin, admin string, env ...string) (*Stack, error) {
	dir, err := os.MkdirTemp("", "sluice-load-")
	if err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	httpPort, err := freeport.Port()
	if err != nil {
		return nil, err
	}
	temporalPort, err := freeport.Port()
	if err != nil {
		return nil, err
	}
	s := &Stack{
		BaseURL:  fmt.Sprintf("http://127.0.0.1:%d", httpPort),
		Database: "sluice_load_" + randomSuffix(),
		DataDir:  dir,
		LogPath:  filepath.Join(dir, "sluice.log"),
		admin:    admin,
		done:     make(chan error, 1),
	}
	logFile, err := os.Create(s.LogPath)
	if err != nil {
		return nil, fmt.Errorf("create log file: %w", err)
	}
	defer logFile.Close()
	s.cmd = exec.Command(bin, "dev")
	s.cmd.Env = append(os.Environ(),
		"DATABASE_URL="+withDatabase(admin, s.Database),
		fmt.Sprintf("SLUICE_HTTP_ADDR=127.0.0.1:%d", httpPort),
		fmt.Sprintf("TEMPORAL_ADDRESS=127.0.0.1:%d", temporalPort),
		"SLUICE_TEMPORAL_UI_PORT=0",
		"SLUICE_DATA_DIR="+dir,
		"SLUICE_SECRET_KEY=",
		"SLUICE_ALLOW_PRIVATE_NETWORKS=true",
		"SLUICE_LOG_LEVEL=warn",
	)
	s.cmd.Env = append(s.cmd.Env, env...)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s dev: %w", bin, err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	if err := s.waitReady(ctx); err != nil {
		s.Stop()
		return nil, fmt.Errorf("%w; last log lines:\n%s", err, s.LogTail(20))
	}
	return s, nil
}

// PID is the process id of the sluice process.
func (s *Stack) PID() int { return s.cmd.Process.Pid }

// Alive reports whether the sluice process is still running.
func (s *Stack) Alive() bool {
	select {
	case err := <-s.done:
		s.done <- err
		return false
	default:
		return true
	}
}

// waitReady polls /readyz and the token file until both are there.
func (s *Stack) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	tokenPath := filepath.Join(s.DataDir, "dev-token")
	for {
		if !s.Alive() {
			return errors.New("sluice dev exited during start")
		}
		if token, err := os.ReadFile(tokenPath); err == nil && s.ready(ctx) {
			s.Token = strings.TrimSpace(string(token))
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("sluice dev was not ready within %s", startTimeout)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (s *Stack) ready(ctx context.Context) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.BaseURL+"/readyz", nil)
	if err != nil {
		return false
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// Stop ends the process (SIGTERM, then SIGKILL after a grace period) and
// drops its database. The data dir stays, for its log; see RemoveDataDir.
func (s *Stack) Stop() {
	if s.Alive() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(45 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = adminExec(ctx, s.admin, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", s.Database))
}

// RemoveDataDir deletes the data dir, log included.
func (s *Stack) RemoveDataDir() { _ = os.RemoveAll(s.DataDir) }

// LogTail returns the last n lines of the process's log.
func (s *Stack) LogTail(n int) string {
	b, err := os.ReadFile(s.LogPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// withDatabase returns the Postgres URL base with its database replaced.
func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}

func randomSuffix() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// serverOf splits a Postgres URL into host, port, user and password.
func serverOf(pgURL string) (host, port, user, password string) {
	host, port, user = "127.0.0.1", "5432", "postgres"
	u, err := url.Parse(pgURL)
	if err != nil {
		return host, port, user, ""
	}
	if h := u.Hostname(); h != "" {
		host = h
	}
	if p := u.Port(); p != "" {
		port = p
	}
	if n := u.User.Username(); n != "" {
		user = n
	}
	password, _ = u.User.Password()
	return host, port, user, password
}
