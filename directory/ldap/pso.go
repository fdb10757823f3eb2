package ldap

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/directory"
)

// attrResultantPSO is AD's constructed attribute naming the fine-grained
// password policy (msDS-PasswordSettings object) that applies to a user,
// empty when the domain's policy applies. It is read with every user
// entry, so knowing it costs no request of its own.
const attrResultantPSO = "msDS-ResultantPSO"

// psoAttrs are the parts of a PSO that replace the domain's policy.
var psoAttrs = []string{
	"msDS-MinimumPasswordLength", "msDS-PasswordComplexityEnabled",
	"msDS-PasswordHistoryLength", "msDS-LockoutThreshold",
}

// AccountPasswordPolicy implements directory.AccountPolicyReader. On
// Active Directory the account's msDS-ResultantPSO is read with the
// account, and the PSO it names replaces the domain's policy; the PSO read
// is cached like the domain policy. When the account has no PSO, or the
// service account may not read the PSO (or msDS-ResultantPSO), the domain
// policy is returned: the directory still checks every password it is
// sent. Other flavours have no per-account policy and return
// PasswordPolicy.
func (d *Directory) AccountPasswordPolicy(ctx context.Context, u *directory.User) (directory.Policy, error) {
	if _, ok := d.dialect.(activeDirectory); !ok {
		return d.PasswordPolicy(ctx)
	}
	if err := ctx.Err(); err != nil {
		return directory.Policy{}, classify("read account password policy", err)
	}
	var psoDN string
	err := d.withConn(ctx, "read account password policy", true, func(c *conn) error {
		e, err := d.resolve(ctx, c, u)
		if err != nil {
			return err
		}
		psoDN = e.GetAttributeValue(attrResultantPSO)
		return nil
	})
	if err != nil {
		return directory.Policy{}, err
	}
	if psoDN == "" {
		return d.PasswordPolicy(ctx)
	}
	return d.psos.get(ctx, psoDN)
}

// readPSO reads the PSO at dn. A PSO the service account cannot read
// (AD answers noSuchObject, insufficientAccessRights, or an entry without
// its attributes) yields the domain policy, which is what resetbot shows
// when it cannot know better.
func (d *Directory) readPSO(ctx context.Context, dn string) (directory.Policy, error) {
	var (
		e        *goldap.Entry
		enforced bool
	)
	err := d.withConn(ctx, "read fine-grained password policy", true, func(c *conn) error {
		var err error
		e, err = c.readBase(ctx, dn, psoAttrs...)
		if err != nil {
			return err
		}
		h, err := d.dialect.history(ctx, c)
		enforced = h.Enforced
		return err
	})
	switch {
	case goldap.IsErrorWithCode(err, goldap.LDAPResultNoSuchObject),
		goldap.IsErrorWithCode(err, goldap.LDAPResultInsufficientAccessRights):
		return d.PasswordPolicy(ctx)
	case err != nil:
		return directory.Policy{}, fmt.Errorf("read PSO %s: %w", dn, err)
	case e.GetAttributeValue("msDS-MinimumPasswordLength") == "":
		return d.PasswordPolicy(ctx)
	}
	num := func(attr string) int {
		n, _ := strconv.Atoi(e.GetAttributeValue(attr))
		return n
	}
	p := directory.Policy{
		MinLength:          num("msDS-MinimumPasswordLength"),
		ComplexityRequired: strings.EqualFold(e.GetAttributeValue("msDS-PasswordComplexityEnabled"), "TRUE"),
		HistoryLength:      num("msDS-PasswordHistoryLength"),
		LockoutThreshold:   num("msDS-LockoutThreshold"),
	}
	// As for the domain policy: a history AD skips for resetbot's writes
	// is not promised.
	if !enforced {
		p.HistoryLength = 0
	}
	return p, nil
}

// psoCache is one policyCache per PSO DN: a domain has few PSOs, and every
// account under one shares its read.
type psoCache struct {
	read func(ctx context.Context, dn string) (directory.Policy, error)

	mu   sync.Mutex
	byDN map[string]*policyCache
}

func newPSOCache(read func(ctx context.Context, dn string) (directory.Policy, error)) *psoCache {
	return &psoCache{read: read, byDN: map[string]*policyCache{}}
}

// get returns the policy of the PSO at dn, cached for policyTTL.
func (pc *psoCache) get(ctx context.Context, dn string) (directory.Policy, error) {
	key := strings.ToLower(dn)
	pc.mu.Lock()
	c, ok := pc.byDN[key]
	if !ok {
		c = newPolicyCache(func(ctx context.Context) (directory.Policy, error) { return pc.read(ctx, dn) })
		pc.byDN[key] = c
	}
	pc.mu.Unlock()
	return c.get(ctx)
}

// invalidate forgets every PSO read, as policyCache.invalidate does.
func (pc *psoCache) invalidate() {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	for _, c := range pc.byDN {
		c.invalidate()
	}
}
