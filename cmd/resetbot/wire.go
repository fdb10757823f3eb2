package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/ldap"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/redisstore"
)

// newRedis builds the one client type that serves all three deployments:
// a single server, Sentinel (MasterName set) or Cluster.
func newRedis(c config.Redis) (redis.UniversalClient, error) {
	return newRedisPool(c, 0)
}

// newRedisPool is newRedis with poolSize connections per node (0: go-redis's
// default, 10 per CPU).
func newRedisPool(c config.Redis, poolSize int) (redis.UniversalClient, error) {
	opt := &redis.UniversalOptions{
		PoolSize:   poolSize,
		Addrs:      c.Addrs,
		MasterName: c.MasterName,
		Username:   c.Username,
		Password:   c.Password.Reveal(),
		DB:         c.DB,
	}
	if c.TLS.Enabled {
		tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.TLS.ServerName}
		if c.TLS.CAFile != "" {
			pem, err := os.ReadFile(c.TLS.CAFile)
			if err != nil {
				return nil, fmt.Errorf("redis.tls.ca_file: %w", err)
			}
			tc.RootCAs = x509.NewCertPool()
			if !tc.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("redis.tls.ca_file: no certificate in %s", c.TLS.CAFile)
			}
		}
		opt.TLSConfig = tc
	}
	switch c.Mode {
	case config.RedisCluster:
		return redis.NewClusterClient(opt.Cluster()), nil
	case config.RedisSentinel:
		return redis.NewFailoverClient(opt.Failover()), nil
	default:
		return redis.NewClient(opt.Simple()), nil
	}
}

// newStore wraps the client in the flow store with the configured prefix,
// retention and stream cap.
func newStore(rdb redis.UniversalClient, c *config.Config) *redisstore.Store {
	return redisstore.New(rdb, redisstore.Options{
		Prefix:       c.Redis.KeyPrefix,
		Retention:    c.Flows.AuditRetention,
		StreamMaxLen: c.Audit.StreamMaxLen,
	})
}

// newDirectory builds the configured directory backend. The memory flavour
// serves the example company, for trying resetbot without a directory.
func newDirectory(c config.Directory) (directory.Directory, error) {
	if c.Flavour == config.FlavourMemory {
		return memory.New(exampleSeed(c))
	}
	return ldap.New(c.LDAP())
}

// exampleSeed is the example company as the configuration maps it: a
// platform whose chat id attribute is the account attribute finds its users
// by account name, as an LDAP directory would (the demo's terminal chat
// does that); the example's own Slack ids stay.
func exampleSeed(c config.Directory) memory.Seed {
	seed := memory.ExampleSeed()
	for platform, attr := range c.ChatIDAttributes {
		if attr != c.AccountAttribute {
			continue
		}
		for i, u := range seed.Users {
			seed.Users[i].ChatIDs[platform] = u.AccountName
		}
	}
	return seed
}

// engineConfig maps the file's sections onto the engine's settings.
func engineConfig(c *config.Config) flows.Config {
	return flows.Config{
		LinkTTL:             c.Flows.LinkTTL,
		FlowTTL:             c.Flows.FlowTTL,
		MaxVerifyAttempts:   c.Flows.MaxVerifyAttempts,
		MaxPasswordAttempts: c.Flows.MaxPasswordAttempts,
		WriteTimeout:        c.Flows.WriteTimeout,
		RecordTimeout:       c.Flows.RecordTimeout,
		Limits: flows.Limits{
			RequestsPerAccountPerHour:  c.Limits.RequestsPerAccountPerHour,
			RequestsPerIdentityPerHour: c.Limits.RequestsPerIdentityPerHour,
			FailedVerifyPerAccountDay:  c.Limits.FailedVerificationsPerAccountPerDay,
		},
		Policy: flows.Policy{
			PrivilegedGroups: c.Directory.PrivilegedGroups,
			BreakGlass:       c.Directory.BreakGlassAccounts,
			ApproverGroup:    c.Helpdesk.Group,
		},
		Risk: c.Risk.Policy(),
	}
}
