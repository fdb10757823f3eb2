package teams

import (
	"errors"
	"net/url"
)

// threadRef identifies a helpdesk thread: the channel conversation Teams
// created for the flow and the id of its first (parent) activity. The core
// stores it opaquely with the flow, so it is encoded as a short query
// string that survives any conversation id Teams uses.
type threadRef struct {
	Conversation string
	Activity     string
}

func (r threadRef) String() string {
	return url.Values{"c": {r.Conversation}, "a": {r.Activity}}.Encode()
}

var errThreadRef = errors.New("teams: not a Teams thread reference")

func parseThreadRef(s string) (threadRef, error) {
	v, err := url.ParseQuery(s)
	if err != nil {
		return threadRef{}, errThreadRef
	}
	r := threadRef{Conversation: v.Get("c"), Activity: v.Get("a")}
	if r.Conversation == "" || r.Activity == "" {
		return threadRef{}, errThreadRef
	}
	return r, nil
}
