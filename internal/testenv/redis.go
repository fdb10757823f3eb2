package testenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a redis-server of a test's own, on a free loopback port with a
// data directory in the test's temporary directory. Fault tests kill,
// freeze or restart it without disturbing the shared server the harness
// started for everyone else. The test's cleanup stops it.
type Redis struct {
	t    testing.TB
	bin  string
	dir  string
	addr string
	args []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// RedisOptions says how durable the server is.
type RedisOptions struct {
	// AppendFsync turns the append-only file on with this fsync policy
	// ("always", "everysec", "no"), so a restarted server keeps what it
	// acknowledged. Empty: no persistence; a restart loses everything, as a
	// Redis without persistence (or a replaced Cluster master) does.
	AppendFsync string
	// Cluster starts the server as a Redis Cluster node (see
	// StartRedisCluster); its port+10000, the cluster bus, is free too.
	Cluster bool
}

// StartRedis starts the test's own redis-server and waits until it
// answers PING.
func StartRedis(t testing.TB, opt RedisOptions) *Redis {
	t.Helper()
	r := &Redis{t: t, bin: RequireBinary(t, "redis-server"), dir: t.TempDir()}
	port := FreePort(t)
	for opt.Cluster && !portFree(port+10000) {
		port = FreePort(t)
	}
	r.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	r.args = []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", r.dir, "--save", "",
		"--daemonize", "no", "--logfile", filepath.Join(r.dir, "redis.log")}
	if opt.AppendFsync != "" {
		r.args = append(r.args, "--appendonly", "yes", "--appendfsync", opt.AppendFsync)
	} else {
		r.args = append(r.args, "--appendonly", "no")
	}
	if opt.Cluster {
		r.args = append(r.args, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")
	}
	r.Start()
	t.Cleanup(r.Kill)
	return r
}

// Addr is the server's host:port.
func (r *Redis) Addr() string { return r.addr }

// Start starts the server again after Kill or Shutdown, on the same port
// and data directory, and waits until it answers.
func (r *Redis) Start() {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		return
	}
	cmd := exec.Command(r.bin, r.args...)
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("start redis-server: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	r.cmd, r.done = cmd, done
	rdb := redis.NewClient(&redis.Options{Addr: r.addr})
	defer rdb.Close()
	for deadline := time.Now().Add(10 * time.Second); rdb.Ping(context.Background()).Err() != nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(r.dir, "redis.log"))
			r.t.Fatalf("own redis-server on %s does not answer PING:\n%s", r.addr, log)
		}
	}
}

// Shutdown stops the server as an operator's restart does (SIGTERM: the
// append-only file is flushed before it exits).
func (r *Redis) Shutdown() { r.signalAndWait(syscall.SIGTERM) }

// Kill stops the server at once, as a crashed or unplugged Redis. A
// frozen server is killed too.
func (r *Redis) Kill() { r.signalAndWait(syscall.SIGKILL) }

func (r *Redis) signalAndWait(sig syscall.Signal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGCONT)
	_ = r.cmd.Process.Signal(sig)
	<-r.done
	r.cmd = nil
}

// Freeze stops the process with SIGSTOP: connections stay open and nothing
// answers, as a hung Redis (a long fork, a saturated host).
func (r *Redis) Freeze() { r.signal(syscall.SIGSTOP) }

// Thaw resumes a frozen server.
func (r *Redis) Thaw() { r.signal(syscall.SIGCONT) }

func (r *Redis) signal(sig syscall.Signal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		r.t.Fatalf("redis-server on %s is not running", r.addr)
	}
	if err := r.cmd.Process.Signal(sig); err != nil {
		r.t.Fatalf("signal redis-server: %v", err)
	}
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// portFree reports whether a loopback TCP port can be listened on now.
func portFree(port int) bool {
	if port > 65535 {
		return false
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// String names the server in test messages.
func (r *Redis) String() string { return fmt.Sprintf("own redis-server %s", r.addr) }
