package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// store names where the service keeps its data: a data directory (embedded SQLite) or a PostgreSQL URL.
type store struct {
	prevent  string
	data     string
	database string
}

func (s *store) flags(fs *flag.FlagSet) {
	fs.StringVar(&s.prevent, "prevent", "prevent", "the prevent binary to run (go build -o prevent ./cmd/prevent)")
	fs.StringVar(&s.data, "data", "", "the data directory of the embedded store")
	fs.StringVar(&s.database, "database", "", "a PostgreSQL URL instead of a data directory")
}

func (s *store) check() error {
	if (s.data == "") == (s.database == "") {
		return errors.New("give exactly one of --data DIR and --database URL")
	}
	return nil
}

// args are the store's flags for a prevent command.
func (s *store) args() []string {
	if s.database != "" {
		return []string{"--database", s.database}
	}
	return []string{"--data", s.data}
}

// account is a demo account as serve prints it.
type account struct {
	Role, Name, Organisation, Email, Password, TOTPSecret string
}

// server is a running `prevent serve`.
type server struct {
	cmd      *exec.Cmd
	base     string
	accounts []account
	done     chan error
	logTail  *tail
	stopOnce sync.Once
}

// freeLoopbackAddr returns a loopback address with a port nobody listens on now.
func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startServer starts `prevent serve --demo` on a loopback address and waits until it is ready.
func startServer(ctx context.Context, s store, env []string, wait time.Duration) (*server, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve", "--demo", "--addr", addr}, s.args()...)
	cmd := exec.Command(s.prevent, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	t := &tail{max: 40}
	cmd.Stderr = t
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", s.prevent, err)
	}
	srv := &server{cmd: cmd, base: "http://" + addr, done: make(chan error, 1), logTail: t}
	accounts := make(chan []account, 1)
	go func() {
		accounts <- readAccounts(out, t)
		_, _ = io.Copy(t, out)
	}()
	go func() { srv.done <- cmd.Wait() }()

	deadline := time.Now().Add(wait)
	for {
		if time.Now().After(deadline) {
			srv.stop()
			return nil, fmt.Errorf("serve was not ready within %s; its last lines:\n%s", wait, t)
		}
		select {
		case err := <-srv.done:
			return nil, fmt.Errorf("serve stopped before it was ready (%v); its last lines:\n%s", err, t)
		case <-ctx.Done():
			srv.stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		res, err := http.Get(srv.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
	}
	select {
	case srv.accounts = <-accounts:
	case <-time.After(10 * time.Second):
		srv.stop()
		return nil, errors.New("serve did not print the demo accounts")
	}
	if len(srv.accounts) == 0 {
		srv.stop()
		return nil, fmt.Errorf("no demo accounts in serve's output:\n%s", t)
	}
	return srv, nil
}

// stop asks the server to shut down and waits for it, killing it after 30 seconds.
// It may be called more than once.
func (s *server) stop() {
	s.stopOnce.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
}

var columns = regexp.MustCompile(`\s{2,}`)

// readAccounts reads serve's standard output up to the end of the demo accounts table.
func readAccounts(r io.Reader, t *tail) []account {
	sc := bufio.NewScanner(r)
	var out []account
	in := false
	for sc.Scan() {
		line := sc.Text()
		_, _ = t.Write([]byte(line + "\n"))
		switch {
		case strings.HasPrefix(line, "ROLE "):
			in = true
		case in && strings.HasPrefix(line, "====="):
			return out
		case in:
			f := columns.Split(strings.TrimSpace(line), -1)
			if len(f) == 6 {
				out = append(out, account{f[0], f[1], f[2], f[3], f[4], f[5]})
			}
		}
	}
	return out
}

// peakRSS reads the high-water mark of a process's resident memory, in bytes.
func peakRSS(pid int) (int64, error) { return procStatus(pid, "VmHWM:") }

// currentRSS reads a process's resident memory now, in bytes.
func currentRSS(pid int) (int64, error) { return procStatus(pid, "VmRSS:") }

func procStatus(pid int, key string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, key) {
			f := strings.Fields(strings.TrimPrefix(line, key))
			if len(f) >= 1 {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				return kb * 1024, err
			}
		}
	}
	return 0, fmt.Errorf("%s not in /proc/%d/status", key, pid)
}

// loadAverage is the one-minute load average of the machine.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// tail keeps the last lines written to it, for error messages.
type tail struct {
	mu    sync.Mutex
	max   int
	lines []string
	part  string
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.part + string(p)
	parts := strings.Split(s, "\n")
	t.part = parts[len(parts)-1]
	t.lines = append(t.lines, parts[:len(parts)-1]...)
	if len(t.lines) > t.max {
		t.lines = t.lines[len(t.lines)-t.max:]
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}
