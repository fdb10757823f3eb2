package testenv

import (
	"context"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// RoundTrips is a go-redis hook that counts the round trips a client makes,
// for tests that hold a step to a budget of them (#10): a command is one, a
// pipeline (or a MULTI/EXEC transaction) is one however many commands it
// carries. A script's first EVALSHA on a server, refused with NOSCRIPT
// before go-redis sends the script itself, is not counted: it
// happens once per script and server, not per operation, and whether it
// happens in a test depends on which test ran first. Nor is the handshake
// of a new pooled connection (HELLO, CLIENT ...), once per connection.
// Add it with client.AddHook.
type RoundTrips struct {
	mu    sync.Mutex
	n     int
	cmds  int
	names []string
}

// DialHook implements redis.Hook.
func (r *RoundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook implements redis.Hook.
func (r *RoundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		r.mu.Lock()
		defer r.mu.Unlock()
		if cmd.Name() == "evalsha" && err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
			return err
		}
		if cmd.Name() == "hello" || cmd.Name() == "client" {
			return err // a new connection's handshake
		}
		r.n++
		r.cmds++
		r.names = append(r.names, commandName(cmd))
		return err
	}
}

// ProcessPipelineHook implements redis.Hook.
func (r *RoundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		r.mu.Lock()
		if cmds[0].Name() == "client" {
			// A new connection's CLIENT SETINFO, sent as it opens.
			r.mu.Unlock()
			return next(ctx, cmds)
		}
		r.n++
		r.cmds += len(cmds)
		names := make([]string, len(cmds))
		for i, c := range cmds {
			names[i] = commandName(c)
		}
		r.names = append(r.names, "["+strings.Join(names, " ")+"]")
		r.mu.Unlock()
		return next(ctx, cmds)
	}
}

// commandName is a command's name, with the last part of the first key
// for EVALSHA and EVAL (which script it was).
func commandName(c redis.Cmder) string {
	name := c.Name()
	if (name == "evalsha" || name == "eval") && len(c.Args()) > 3 {
		if k, ok := c.Args()[3].(string); ok {
			if i := strings.LastIndexByte(k, ':'); i >= 0 {
				k = k[i+1:]
			}
			name += "(" + k + ")"
		}
	}
	return name
}

// Take returns the round trips, the commands and their names (a
// pipeline's in brackets) since the last Take, and starts counting afresh.
func (r *RoundTrips) Take() (trips, cmds int, names []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	trips, cmds, names = r.n, r.cmds, r.names
	r.n, r.cmds, r.names = 0, 0, nil
	return trips, cmds, names
}
