package teams

import (
	"fmt"
	"strings"
)

// One bot serves one company, so one Entra tenant. An activity of any
// other tenant is refused right after its token verified and its body
// parsed, before it is remembered, deduplicated or shown to the core, and
// without a reply: a user of another tenant, whose administrator can set
// any mail or name on them, must not be able to talk to the bot at all.
//
// The tenant is read from every place a Teams activity names it, and all
// must agree with the configured one: channelData.tenant.id (always sent
// by Teams, so an activity without it is refused too), conversation.tenantId
// where present, and the token's tid claim where the token carries one.

// checkTenant refuses an activity that is not wholly of the configured
// tenant. GUIDs compare without regard to case.
func checkTenant(configured string, c *claims, a *activity) error {
	var got string
	if a.ChannelData != nil && a.ChannelData.Tenant != nil {
		got = a.ChannelData.Tenant.ID
	}
	switch {
	case got == "":
		return fmt.Errorf("%w: activity without channelData.tenant.id", errTenantNotServed)
	case !strings.EqualFold(got, configured):
		return fmt.Errorf("%w: channelData.tenant.id %q", errTenantNotServed, got)
	case a.Conversation != nil && a.Conversation.TenantID != "" && !strings.EqualFold(a.Conversation.TenantID, configured):
		return fmt.Errorf("%w: conversation.tenantId %q", errTenantNotServed, a.Conversation.TenantID)
	case c.TenantID != "" && !strings.EqualFold(c.TenantID, configured):
		return fmt.Errorf("%w: token tid %q", errTenantNotServed, c.TenantID)
	}
	return nil
}
