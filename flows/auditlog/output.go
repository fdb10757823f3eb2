package auditlog

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// output is where records go: a file, standard output, syslog.
type output interface {
	Write(b []byte) (int, error)
	Sync() error
	Close() error
}

// Targets the sink understands besides a file path.
const (
	// TargetStdout writes records to standard output, where Kubernetes
	// log collectors read them.
	TargetStdout = "-"
	// TargetSyslog sends each record as an RFC 5424 message to the local
	// syslog socket; "syslog+udp://host:514" and "syslog+tcp://host:601"
	// send to a remote collector.
	TargetSyslog = "syslog"
)

// stdout is standard output, which cannot be synced on a pipe or terminal
// and must not be closed.
type stdout struct{}

func (stdout) Write(b []byte) (int, error) { return os.Stdout.Write(b) }
func (stdout) Sync() error                 { return nil }
func (stdout) Close() error                { return nil }

// pipe is a FIFO or device opened by path: fsync is not defined on it.
type pipe struct{ *os.File }

func (pipe) Sync() error { return nil }

// syslogWriter frames each record as one RFC 5424 message: facility
// local0 (16), severity notice (5), app name resetbot, msgid audit.
type syslogWriter struct {
	conn   net.Conn
	stream bool // TCP: RFC 6587 octet counting
	host   string
}

func dialSyslog(target string) (*syslogWriter, error) {
	host, _ := os.Hostname()
	if host == "" {
		host = "-"
	}
	var network, addr string
	switch {
	case target == TargetSyslog:
		for _, p := range []string{"/dev/log", "/var/run/syslog", "/var/run/log"} {
			if c, err := net.Dial("unixgram", p); err == nil {
				return &syslogWriter{conn: c, host: host}, nil
			}
		}
		return nil, fmt.Errorf("auditlog: no local syslog socket (/dev/log)")
	case strings.HasPrefix(target, "syslog+udp://"):
		network, addr = "udp", strings.TrimPrefix(target, "syslog+udp://")
	case strings.HasPrefix(target, "syslog+tcp://"):
		network, addr = "tcp", strings.TrimPrefix(target, "syslog+tcp://")
	default:
		return nil, fmt.Errorf("auditlog: unknown syslog target %q", target)
	}
	c, err := net.DialTimeout(network, addr, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("auditlog: syslog %s: %w", addr, err)
	}
	return &syslogWriter{conn: c, stream: network == "tcp", host: host}, nil
}

// Write sends one record (b ends in its newline) as one message.
func (w *syslogWriter) Write(b []byte) (int, error) {
	msg := syslogMessage(time.Now(), w.host, os.Getpid(), strings.TrimSuffix(string(b), "\n"))
	if w.stream {
		msg = strconv.Itoa(len(msg)) + " " + msg
	}
	if _, err := w.conn.Write([]byte(msg)); err != nil {
		return 0, err
	}
	return len(b), nil
}

// syslogMessage renders an RFC 5424 message with no structured data.
func syslogMessage(t time.Time, host string, pid int, line string) string {
	return fmt.Sprintf("<%d>1 %s %s resetbot %d audit - %s", 16*8+5, t.UTC().Format(time.RFC3339Nano), host, pid, line)
}

func (w *syslogWriter) Sync() error  { return nil }
func (w *syslogWriter) Close() error { return w.conn.Close() }
