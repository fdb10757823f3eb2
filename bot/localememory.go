package bot

import (
	"sync"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// localeMemory remembers, for a while, the locale each platform lookup
// (Slack users.info) answered for a chat identity, so that the first reply
// to a person's next command can be in their language without asking the
// platform inside the request. It lives in the process, not in Redis: the
// first reply must cost no round trip beyond the redelivery check, and a
// replica that has not met the person yet only sends that first reply a
// lookup later (through the request's Responder), which is still correct.
// Failed lookups are not remembered, so the next request asks again.
type localeMemory struct {
	mu      sync.Mutex
	entries map[flows.ChatIdentity]rememberedLocale
}

// rememberedLocale is one answer and when it stops counting.
type rememberedLocale struct {
	loc   flows.Locale
	until time.Time
}

// localeMemoryTTL is how long an answer counts: long enough for a
// person's few commands and clicks in one sitting, short enough that a
// changed Slack language shows within the half hour.
const localeMemoryTTL = 30 * time.Minute

// localeMemoryMax bounds the memory (an enrollment campaign looks up every
// recipient); beyond it, expired answers go first, then arbitrary ones.
const localeMemoryMax = 20000

// get returns the remembered locale of id, if there is a current one. An
// empty Locale with ok is a remembered answer too: the platform said
// nothing the catalogue knows, and asking again would say the same.
func (m *localeMemory) get(id flows.ChatIdentity, now time.Time) (flows.Locale, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[id]
	if !ok || !now.Before(e.until) {
		return flows.Locale{}, false
	}
	return e.loc, true
}

// put remembers what the platform answered for id.
func (m *localeMemory) put(id flows.ChatIdentity, loc flows.Locale, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil {
		m.entries = map[flows.ChatIdentity]rememberedLocale{}
	}
	if _, known := m.entries[id]; !known && len(m.entries) >= localeMemoryMax {
		for k, e := range m.entries {
			if !now.Before(e.until) {
				delete(m.entries, k)
			}
		}
		for k := range m.entries {
			if len(m.entries) < localeMemoryMax {
				break
			}
			delete(m.entries, k)
		}
	}
	m.entries[id] = rememberedLocale{loc: loc, until: now.Add(localeMemoryTTL)}
}
