package config

import "strings"

// The environment overrides. They exist for values that differ per
// deployment of the same file (a staging URL, the Redis a Kubernetes
// operator hands out), not for secrets: secrets already come from the
// environment through {env: NAME} references.
const (
	// EnvPublicBaseURL replaces server.public_base_url.
	EnvPublicBaseURL = "RESETBOT_SERVER_PUBLIC_BASE_URL"
	// EnvRedisAddrs replaces redis.addrs with a comma-separated list.
	EnvRedisAddrs = "RESETBOT_REDIS_ADDRS"
)

// applyEnv applies the overrides after decoding, before defaults, and notes
// which keys they set so problems name the variable.
func (c *Config) applyEnv(lookup func(string) (string, bool)) []error {
	var probs []error
	if v, ok := lookup(EnvPublicBaseURL); ok {
		c.Server.PublicBaseURL = strings.TrimSpace(v)
		c.fromEnv["server.public_base_url"] = EnvPublicBaseURL
	}
	if v, ok := lookup(EnvRedisAddrs); ok {
		c.Redis.Addrs = nil
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a != "" {
				c.Redis.Addrs = append(c.Redis.Addrs, a)
			}
		}
		c.fromEnv["redis.addrs"] = EnvRedisAddrs
		if len(c.Redis.Addrs) == 0 {
			probs = append(probs, c.problemf("redis.addrs", "the override is set but lists no address"))
		}
	}
	return probs
}
