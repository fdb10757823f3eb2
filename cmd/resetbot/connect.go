package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/ldap"
)

// connectTimeout bounds each start-up connection test, so a server that
// accepts and then hangs fails the start instead of stalling it.
const connectTimeout = 15 * time.Second

// keyError is a start-up failure tied to the configuration key to fix. It
// prints as "key: cause", the one line serve and `config check -connect`
// show.
type keyError struct {
	key string
	err error
}

func (e *keyError) Error() string { return e.key + ": " + e.err.Error() }
func (e *keyError) Unwrap() error { return e.err }

// atKey ties err to key; nil stays nil.
func atKey(key string, err error) error {
	if err == nil {
		return nil
	}
	return &keyError{key: key, err: err}
}

// pingRedis test-connects with the configured credentials and names the
// setting a failure points at.
func pingRedis(ctx context.Context, rdb redis.UniversalClient) error {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	err := rdb.Ping(ctx).Err()
	if err == nil {
		return nil
	}
	var (
		hostname x509.HostnameError
		unknown  x509.UnknownAuthorityError
		verify   *tls.CertificateVerificationError
	)
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "WRONGPASS"), strings.HasPrefix(msg, "NOAUTH"), strings.Contains(msg, "invalid password"):
		return atKey("redis.password", fmt.Errorf("Redis refused the credentials: %w", err))
	case errors.As(err, &hostname):
		return atKey("redis.tls.server_name", err)
	case errors.As(err, &unknown), errors.As(err, &verify):
		return atKey("redis.tls.ca_file", err)
	default:
		return atKey("redis.addrs", fmt.Errorf("Redis at %s: %w", strings.Join(rdbAddrs(rdb), ","), err))
	}
}

// rdbAddrs lists the addresses a client dials, for the error message.
func rdbAddrs(rdb redis.UniversalClient) []string {
	switch c := rdb.(type) {
	case *redis.Client:
		return []string{c.Options().Addr}
	case *redis.ClusterClient:
		return c.Options().Addrs
	}
	return nil
}

// openDirectory builds the directory backend and, for a real server,
// connects and binds as the service account, so a wrong password or CA
// fails the start rather than the first reset.
func openDirectory(ctx context.Context, c config.Directory) (directory.Directory, error) {
	dir, err := newDirectory(c)
	if err != nil {
		return nil, atKey("directory."+ldap.Setting(err), err)
	}
	p, ok := dir.(interface{ Ping(context.Context) error })
	if !ok {
		return dir, nil
	}
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := p.Ping(ctx); err != nil {
		if cl, ok := dir.(io.Closer); ok {
			cl.Close()
		}
		return nil, atKey("directory."+ldap.Setting(err), err)
	}
	return dir, nil
}
