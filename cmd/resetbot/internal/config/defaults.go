package config

import (
	"time"

	"github.com/resetbot/resetbot/directory/ldap"
)

// The defaults, in one place: ApplyDefaults is the only code that sets them,
// and deploy/config.example.yaml quotes them in its comments.
const (
	DefaultListen                     = ":8080"
	DefaultManagementListen           = "127.0.0.1:9090"
	DefaultRedisAddr                  = "localhost:6379"
	DefaultKeyPrefix                  = "rb"
	DefaultEmailAttribute             = "mail"
	DefaultDirectoryTimeout           = ldap.DefaultTimeout // the directory package owns its defaults
	DefaultPoolSize                   = ldap.DefaultPoolSize
	DefaultLinkTTL                    = MaxLinkTTL
	DefaultFlowTTL                    = 30 * time.Minute
	DefaultAuditRetention             = 90 * 24 * time.Hour
	DefaultMaxVerifyAttempts          = 5
	DefaultMaxPasswordAttempts        = 5
	DefaultRequestsPerAccountPerHour  = 3
	DefaultRequestsPerIdentityPerHour = 5
	DefaultFailedVerificationsPerDay  = 10
	DefaultInteractionsPerMinute      = 20
	DefaultStreamMaxLen               = 100_000
	DefaultClaimIdle                  = 2 * time.Minute
	DefaultLogLevel                   = "info"
	DefaultLogFormat                  = "json"
	DefaultAuditFormat                = "resetbot"
	DefaultRPName                     = "resetbot"
	DefaultMinPasswordLength          = 12
	DefaultMinStrength                = 3
	DefaultHelpdeskContact            = "the IT helpdesk"
	DefaultCurrency                   = "USD"
	DefaultTimezone                   = "UTC"
	DefaultLanguage                   = "en"
	DefaultSpikeRequests              = 20
	DefaultSpikeWindow                = 10 * time.Minute
	DefaultFailedVerificationsAlert   = 3
	DefaultSlackMode                  = "http"
)

// defaultAccountAttribute is the account-name attribute of each flavour.
var defaultAccountAttribute = map[string]string{
	FlavourActiveDirectory: "sAMAccountName",
	FlavourOpenLDAP:        "uid",
	Flavour389DS:           "uid",
	FlavourMemory:          "uid",
}

// ApplyDefaults fills every unset (zero) value with its default. Zero means
// "unset" for numbers and durations; a setting that must be zero (redis.db)
// defaults to zero anyway. Validate runs after it and rejects values that
// are set but wrong.
func (c *Config) ApplyDefaults() {
	setStr(&c.Server.Listen, DefaultListen)
	setStr(&c.Server.ManagementListen, DefaultManagementListen)

	setStr(&c.Redis.Mode, RedisSingle)
	if len(c.Redis.Addrs) == 0 && c.Redis.Mode == RedisSingle {
		c.Redis.Addrs = []string{DefaultRedisAddr}
	}
	setStr(&c.Redis.KeyPrefix, DefaultKeyPrefix)

	setStr(&c.Directory.AccountAttribute, defaultAccountAttribute[c.Directory.Flavour])
	setStr(&c.Directory.EmailAttribute, DefaultEmailAttribute)
	setNum(&c.Directory.Timeout, DefaultDirectoryTimeout)
	setNum(&c.Directory.PoolSize, DefaultPoolSize)

	setNum(&c.Flows.LinkTTL, DefaultLinkTTL)
	setNum(&c.Flows.FlowTTL, DefaultFlowTTL)
	setNum(&c.Flows.AuditRetention, DefaultAuditRetention)
	setNum(&c.Flows.MaxVerifyAttempts, DefaultMaxVerifyAttempts)
	setNum(&c.Flows.MaxPasswordAttempts, DefaultMaxPasswordAttempts)

	setNum(&c.Limits.RequestsPerAccountPerHour, DefaultRequestsPerAccountPerHour)
	setNum(&c.Limits.RequestsPerIdentityPerHour, DefaultRequestsPerIdentityPerHour)
	setNum(&c.Limits.FailedVerificationsPerAccountPerDay, DefaultFailedVerificationsPerDay)
	setNum(&c.Limits.InteractionsPerIdentityPerMinute, DefaultInteractionsPerMinute)

	setNum(&c.Audit.StreamMaxLen, DefaultStreamMaxLen)
	setNum(&c.Audit.ClaimIdle, DefaultClaimIdle)

	setStr(&c.Log.Level, DefaultLogLevel)
	setStr(&c.Log.Format, DefaultLogFormat)
	setStr(&c.Audit.Format, DefaultAuditFormat)

	// The name a phone shows for a passkey and an authenticator app for a
	// code is the company's when it is configured: no page or prompt says
	// resetbot unless configured so.
	setStr(&c.Web.RPName, c.Web.Branding.CompanyName)
	setStr(&c.Web.RPName, DefaultRPName)
	setNum(&c.Web.MinPasswordLength, DefaultMinPasswordLength)
	setNum(&c.Web.MinStrength, DefaultMinStrength)

	setStr(&c.Helpdesk.Contact, DefaultHelpdeskContact)
	setStr(&c.Helpdesk.Currency, DefaultCurrency)
	setStr(&c.Helpdesk.Timezone, DefaultTimezone)
	setStr(&c.Helpdesk.Language, DefaultLanguage)

	setNum(&c.Alerts.SpikeRequests, DefaultSpikeRequests)
	setNum(&c.Alerts.SpikeWindow, DefaultSpikeWindow)
	setNum(&c.Alerts.FailedVerifications, DefaultFailedVerificationsAlert)

	setStr(&c.Slack.Mode, DefaultSlackMode)
	c.reminderDefaults()
	c.campaignDefaults()
	c.riskDefaults()
}

func setStr(p *string, def string) {
	if *p == "" {
		*p = def
	}
}

func setNum[T int | int64 | time.Duration](p *T, def T) {
	if *p == 0 {
		*p = def
	}
}
