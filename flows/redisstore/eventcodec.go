package redisstore

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// Event record tags (see codec.go for the format).
const (
	eTypeCode byte = iota + 1
	eType
	eTime
	eFlowID
	eFlowIDCompact
	eKind
	eAccount
	eAccountID
	eAccountUUID
	eDepartment
	eActor
	eFrom
	eTo
	eOutcome
	eReason
	eMethod
	eSourceIP
	eDevice
	eThread
	// eOfFlow: the subject's kind, account name and department were left
	// out because the flow record has them; the reader fills them in.
	eOfFlow
	eFromCode
	eToCode
	eOutcomeOK
	eActorSystem
	// eTimeIssued and eActorRequester: the event's time is the flow's
	// IssuedAt, its actor the flow's requester (a flow's first event).
	eTimeIssued
	eActorRequester
	// eReasonCode: a reason from reasonCodes, in one byte.
	eReasonCode
)

// eventRefs says what of an event its flow's record holds, so the record
// need not repeat it.
type eventRefs struct {
	subject   bool // kind, account name, department
	issued    bool // Time == IssuedAt
	requester bool // Actor == RequestedBy
}

// eventTypeCodes numbers the common event types so a record spends one
// byte on its type. Append only: a code is stored in audit entries. A type
// not listed is written as its text.
var eventTypeCodes = []flows.EventType{
	flows.EventRequested, flows.EventSuperseded, flows.EventRefused, flows.EventLinkSent,
	flows.EventLinkOpened, flows.EventLinkRedeemed, flows.EventVerified, flows.EventVerifyFailed,
	flows.EventApprovalRequired, flows.EventApproved, flows.EventDenied, flows.EventClickRefused,
	flows.EventApplying, flows.EventApplyFailed, flows.EventPasswordSet, flows.EventPasswordRefused,
	flows.EventUnlocked, flows.EventEnrolled, flows.EventCompleted, flows.EventCancelled,
	flows.EventExpired, flows.EventFailed, flows.EventRecoveredCompleted, flows.EventRecoveredFailed,
	flows.EventFactorAdded, flows.EventFactorRemoved, flows.EventLinkReissued,
	flows.EventLinkPreviewed, flows.EventRiskDecided,
}

var eventTypeCode = func() map[flows.EventType]byte {
	m := map[flows.EventType]byte{}
	for i, t := range eventTypeCodes {
		m[t] = byte(i + 1)
	}
	return m
}()

// encodeEventRecord is the compact record of ev. refs say what the flow's
// record (in the same shard) holds, so it is read from there instead of
// repeated; the account id is always kept, so an entry outliving its flow
// still says whose account it was.
func encodeEventRecord(ev flows.Event, refs eventRefs) []byte {
	if ev.FlowID == "" || !refs.subject {
		refs = eventRefs{}
	}
	ofFlow := refs.subject
	w := recWriter{b: make([]byte, 0, 96)}
	w.b = append(w.b, formatV1)
	if c, ok := eventTypeCode[ev.Type]; ok {
		w.b = append(w.b, eTypeCode, c)
	} else {
		w.str(eType, string(ev.Type))
	}
	if refs.issued {
		w.tag(eTimeIssued)
	} else {
		w.time(eTime, ev.Time, time.Time{})
	}
	w.flowID(eFlowID, eFlowIDCompact, ev.FlowID)
	if ofFlow && ev.FlowID != "" {
		w.tag(eOfFlow)
	} else {
		w.str(eKind, string(ev.Kind))
		w.str(eAccount, ev.Account)
		w.str(eDepartment, ev.Department)
	}
	if ev.AccountID != "" {
		w.uuidStr(eAccountID, eAccountUUID, ev.AccountID)
	}
	switch {
	case refs.requester:
		w.tag(eActorRequester)
	case ev.Actor == "system":
		w.tag(eActorSystem)
	default:
		w.str(eActor, ev.Actor)
	}
	w.code(eFrom, eFromCode, stateCodes, string(ev.From))
	w.code(eTo, eToCode, stateCodes, string(ev.To))
	if ev.Outcome == "ok" {
		w.tag(eOutcomeOK)
	} else {
		w.str(eOutcome, ev.Outcome)
	}
	w.code(eReason, eReasonCode, reasonCodes, ev.Reason)
	w.str(eMethod, ev.Method)
	w.str(eSourceIP, ev.SourceIP)
	w.str(eDevice, ev.Device)
	w.str(eThread, ev.Thread)
	return w.b
}

// decodeEventRecord reads an event record, compact or the JSON of earlier
// versions. refs report what the flow's record must fill in.
func decodeEventRecord(data []byte, ev *flows.Event) (refs eventRefs, err error) {
	if len(data) > 0 && data[0] == '{' {
		return refs, json.Unmarshal(data, ev)
	}
	if len(data) == 0 || data[0] != formatV1 {
		return refs, fmt.Errorf("%w: unknown format", errRecord)
	}
	r := recReader{b: data[1:]}
	for !r.done() {
		switch t := r.tag(); t {
		case eTypeCode:
			p := r.fixed(1)
			if p == nil {
				break
			}
			if p[0] == 0 || int(p[0]) > len(eventTypeCodes) {
				return refs, fmt.Errorf("%w: unknown event type code %d", errRecord, p[0])
			}
			ev.Type = eventTypeCodes[p[0]-1]
		case eType:
			ev.Type = flows.EventType(r.str())
		case eTime:
			ev.Time = r.time(time.Time{})
		case eFlowID:
			ev.FlowID = r.str()
		case eFlowIDCompact:
			ev.FlowID = r.flowID()
		case eKind:
			ev.Kind = flows.Kind(r.str())
		case eAccount:
			ev.Account = r.str()
		case eAccountID:
			ev.AccountID = r.str()
		case eAccountUUID:
			ev.AccountID = r.uuid()
		case eDepartment:
			ev.Department = r.str()
		case eActor:
			ev.Actor = r.str()
		case eFrom:
			ev.From = flows.State(r.str())
		case eTo:
			ev.To = flows.State(r.str())
		case eOutcome:
			ev.Outcome = r.str()
		case eReason:
			ev.Reason = r.str()
		case eReasonCode:
			ev.Reason = r.code(reasonCodes)
		case eMethod:
			ev.Method = r.str()
		case eSourceIP:
			ev.SourceIP = r.str()
		case eDevice:
			ev.Device = r.str()
		case eThread:
			ev.Thread = r.str()
		case eOfFlow:
			refs.subject = true
		case eTimeIssued:
			refs.issued = true
		case eActorRequester:
			refs.requester = true
		case eFromCode:
			ev.From = flows.State(r.code(stateCodes))
		case eToCode:
			ev.To = flows.State(r.code(stateCodes))
		case eOutcomeOK:
			ev.Outcome = "ok"
		case eActorSystem:
			ev.Actor = "system"
		default:
			return refs, fmt.Errorf("%w: unknown event field %d", errRecord, t)
		}
	}
	return refs, r.err
}
