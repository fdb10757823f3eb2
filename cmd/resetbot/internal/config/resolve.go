package config

import "os"

// resolveSecrets reads every configured secret and checks that every file
// the server will open at start exists, so `config check` where the server
// runs finds what would otherwise fail at the first reset.
func (c *Config) resolveSecrets(lookup func(string) (string, bool)) []error {
	var probs []error
	for _, s := range c.secrets() {
		if err := s.s.resolve(lookup); err != nil {
			probs = append(probs, c.problemErr(s.path, err, "%s", s.s))
		}
	}
	files := []struct{ path, file string }{
		{"server.tls.cert_file", c.Server.TLS.CertFile},
		{"server.tls.key_file", c.Server.TLS.KeyFile},
		{"redis.tls.ca_file", c.Redis.TLS.CAFile},
		{"web.blocklist_file", c.Web.BlocklistFile},
	}
	for _, f := range files {
		if f.file == "" {
			continue
		}
		if _, err := os.Stat(f.file); err != nil {
			probs = append(probs, c.problemErr(f.path, err, "cannot be read"))
		}
	}
	return append(probs, c.resolveRisk()...)
}

// secretAt is one secret setting and its key path.
type secretAt struct {
	path string
	s    *Secret
}

// secrets lists every secret setting.
func (c *Config) secrets() []secretAt {
	return []secretAt{
		{"redis.password", &c.Redis.Password},
		{"directory.bind_password", &c.Directory.BindPassword},
		{"web.csrf_key", &c.Web.CSRFKey},
		{"web.totp_key", &c.Web.TOTPKey},
		{"web.totp_previous_key", &c.Web.TOTPPreviousKey},
		{"web.credentials_backup_key", &c.Web.CredentialsBackupKey},
		{"slack.signing_secret", &c.Slack.SigningSecret},
		{"slack.bot_token", &c.Slack.BotToken},
		{"slack.app_token", &c.Slack.AppToken},
		{"teams.app_password", &c.Teams.AppPassword},
		{"discord.bot_token", &c.Discord.BotToken},
		{"audit.chain_key", &c.Audit.ChainKey},
	}
}

// secret returns the secret at path, nil if path is not a secret setting.
func (c *Config) secret(path string) *Secret {
	for _, s := range c.secrets() {
		if s.path == path {
			return s.s
		}
	}
	return nil
}
