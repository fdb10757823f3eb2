// Package teamsfake is an httptest fake of the Microsoft side of a Teams
// bot, for tests of package teams that must not reach Microsoft: the
// OpenID metadata and JWKS endpoints serving per-test RSA keys endorsed
// for the msteams channel (or, on demand, not: see Endorse), the Entra
// token endpoint for client credentials, and the Bot Framework connector
// REST API (conversations, activities, replies, updates, members), which
// records every call. It also builds inbound activities signed exactly as
// the Bot Framework signs them, so tests drive the real wire format.
//
// It is a fake with behaviour (ids, threads, in-place updates, 401 for a
// bad token, 429 on demand), not a script of expected calls.
package teamsfake
