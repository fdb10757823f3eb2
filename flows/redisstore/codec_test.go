package redisstore

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// fullFlow sets every field, with times of both precisions, so a field the
// codec forgets fails the round trip.
func fullFlow() *flows.Flow {
	t0 := time.Date(2026, 12, 2, 10, 41, 7, 123456789, time.UTC)
	return &flows.Flow{
		Kind: flows.KindApprove,
		Subject: flows.Subject{AccountID: "0f6c1e7a-5b7d-4c7e-9a55-3f1f0e7d2a11", AccountName: "jdoe", DisplayName: "John Doe",
			Department: "Engineering", Chat: flows.ChatIdentity{Platform: "teams", UserID: "29:1abc"}, Privileged: true},
		RequestedBy:          flows.ChatIdentity{Platform: "slack", UserID: "U0HELP"},
		RequestedByAccountID: "S-1-5-21-1-2-3-1104",
		State:                flows.StateAwaitingApproval,
		IssuedAt:             t0,
		ExpiresAt:            t0.Add(10 * time.Minute),
		Attempts:             flows.Attempts{Verify: 2, Password: 1},
		Verified:             []string{"passkey", ""},
		Changed:              []string{"passkey:abc", "totp"},
		Risk:                 []string{"new device"},
		RiskSeen:             []string{"dev:3q2+7w", "ctry:DE"},
		RiskDenied:           "denied_country",
		Approval: flows.Approval{Required: true, Decided: true, Granted: true, By: flows.ChatIdentity{Platform: "discord", UserID: "123"},
			ByAccountID: "acct-9", At: t0.Add(-time.Hour), Reason: "looks right"},
		Thread:      "C123/1700000000.000100",
		TokenHash:   "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Binding:     "NOT-HEX",
		Approve:     flows.ApproveFields{Target: "07-AAAAAAAAAAAAAAAAAAAAAA", TargetAccount: "alice", TargetKind: flows.KindRevoke, Grant: true},
		EndedAt:     t0.Add(3 * time.Second),
		ApplyingAt:  t0.Add(2*time.Second + 7),
		ReconcileAt: t0.Add(time.Minute),
		Recovery:    flows.RecoveryUnknown,
		LinkSentAt:  t0.Add(time.Second),
		Locale:      flows.Locale{Lang: "de", TimeZone: "Europe/Berlin"},
		Claim:       flows.Claim{Required: true, By: flows.ChatIdentity{Platform: "teams", UserID: "29:1abc"}, At: t0.Add(4 * time.Second)},
		Factor:      "iPhone 15",
		Revoking:    []string{"iPhone 15", "authenticator app"},
		// PasswordExpiry is far from IssuedAt: weeks, not minutes.
		PasswordExpiry: t0.Add(13 * 24 * time.Hour),
	}
}

// TestFullFlowIsFull: fullFlow sets every field but the id and version
// (which the key and the value's prefix carry), so a field added to
// flows.Flow fails here until the record codec and fullFlow know it.
func TestFullFlowIsFull(t *testing.T) {
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		if v.Kind() == reflect.Struct && v.Type() != reflect.TypeOf(time.Time{}) {
			for i := range v.NumField() {
				walk(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
			return
		}
		if path != ".ID" && path != ".Version" && v.IsZero() {
			t.Errorf("fullFlow leaves %s unset: teach the record codec (flowcodec.go) the new field, then set it here", path)
		}
	}
	walk(reflect.ValueOf(*fullFlow()), "")
}

// TestFlowRecordRoundTrip: every field of a flow survives the compact
// record (unknown kinds, states and platforms as text).
func TestFlowRecordRoundTrip(t *testing.T) {
	for _, f := range []*flows.Flow{fullFlow(), {Kind: "verify", State: "claimed", Subject: flows.Subject{AccountID: "x", Chat: flows.ChatIdentity{Platform: "matrix", UserID: "@a"}}}, {}} {
		var got flows.Flow
		if err := decodeFlow(encodeFlow(f), &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(&got, f) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, *f)
		}
	}
}

// TestFlowRecordReadsJSON: a flow stored as JSON by an earlier version is
// still read, so live flows survive the upgrade.
func TestFlowRecordReadsJSON(t *testing.T) {
	want := fullFlow()
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var got flows.Flow
	if err := decodeFlow(data, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&got, want) {
		t.Errorf("JSON flow:\n got %+v\nwant %+v", got, *want)
	}
}

// TestFlowRecordReadsOldApproveJSON: an approver's confirmation stored as
// JSON by a release before Flow.Approve (its fields at the top level) still
// decides the same flow the same way.
func TestFlowRecordReadsOldApproveJSON(t *testing.T) {
	old := `{"id":"09-BBBBBBBBBBBBBBBBBBBBBB","kind":"approve",` +
		`"subject":{"account_id":"acct-2","account_name":"jdoe","chat":{"platform":"slack","user_id":"U0HELP"}},` +
		`"requested_by":{"platform":"slack","user_id":"U0HELP"},"state":"issued",` +
		`"issued_at":"2026-11-20T09:00:00Z","expires_at":"2026-11-20T09:05:00Z","attempts":{"verify":0,"password":0},` +
		`"approval":{"required":false,"decided":false,"granted":false},` +
		`"target":"07-AAAAAAAAAAAAAAAAAAAAAA","target_account":"alice","grant":true,"factor":"YubiKey","target_kind":"revoke","version":3}`
	var got flows.Flow
	if err := decodeFlow([]byte(old), &got); err != nil {
		t.Fatal(err)
	}
	want := flows.ApproveFields{Target: "07-AAAAAAAAAAAAAAAAAAAAAA", TargetAccount: "alice", TargetKind: flows.KindRevoke, Grant: true}
	if got.Approve != want || got.Factor != "YubiKey" || got.Kind != flows.KindApprove || got.Version != 3 {
		t.Errorf("old approve record read as Approve %+v, Factor %q, Kind %q, Version %d; want %+v, YubiKey, approve, 3", got.Approve, got.Factor, got.Kind, got.Version, want)
	}
	// Once written again it is a compact record with the same decision.
	var again flows.Flow
	if err := decodeFlow(encodeFlow(&got), &again); err != nil || again.Approve != want {
		t.Errorf("re-encoded: Approve %+v, %v; want %+v", again.Approve, err, want)
	}
}

// TestFlowRecordRefusesUnknown: a record of an unknown format or with a
// field this version does not know is an error, never a partial flow.
func TestFlowRecordRefusesUnknown(t *testing.T) {
	for _, data := range [][]byte{nil, {0x02}, {formatV1, 0xfe}, {formatV1, fAccountName, 9, 'a'}, {formatV1, fKindCode, 99}} {
		var f flows.Flow
		if err := decodeFlow(data, &f); !errors.Is(err, errRecord) {
			t.Errorf("decodeFlow(%x) = %v, want errRecord", data, err)
		}
	}
}

func fullEvent() flows.Event {
	return flows.Event{
		Time: time.Date(2026, 12, 2, 10, 41, 7, 5, time.UTC), Type: flows.EventApproved, FlowID: "07-AAAAAAAAAAAAAAAAAAAAAA",
		Kind: flows.KindReset, Account: "jdoe", AccountID: "0f6c1e7a-5b7d-4c7e-9a55-3f1f0e7d2a11", Department: "IT",
		Actor: "slack:U1", From: flows.StateAwaitingApproval, To: flows.StateVerified, Outcome: "ok", Reason: "r",
		Method: "passkey", SourceIP: "192.0.2.1", Device: "Firefox", Thread: "C1/2",
	}
}

// TestEventRecordRoundTrip: a whole event survives its record, with or
// without codes for its type, states, actor and outcome; one written to
// refer to its flow keeps what the flow cannot restore.
func TestEventRecordRoundTrip(t *testing.T) {
	odd := fullEvent()
	odd.Type, odd.From, odd.Actor, odd.Outcome, odd.FlowID, odd.AccountID = "new.type", "odd", "system", "denied", "not-a-flow-id", "S-1-5-21"
	sent := fullEvent()
	sent.Type, sent.Reason = flows.EventLinkSent, reasonCodes[0]
	for _, ev := range []flows.Event{fullEvent(), odd, sent, {}} {
		var got flows.Event
		refs, err := decodeEventRecord(encodeEventRecord(ev, eventRefs{}), &got)
		if err != nil {
			t.Fatal(err)
		}
		if refs != (eventRefs{}) || !reflect.DeepEqual(got, ev) {
			t.Errorf("round trip: refs %+v\n got %+v\nwant %+v", refs, got, ev)
		}
	}
	// A listed reason is one code byte: shorter than even a one-letter
	// reason kept as text.
	if coded, text := encodeEventRecord(sent, eventRefs{}), encodeEventRecord(fullEvent(), eventRefs{}); len(coded) >= len(text) {
		t.Errorf("%q takes %d bytes, the reason \"r\" %d: it was not coded", sent.Reason, len(coded), len(text))
	}
	ev := fullEvent()
	var got flows.Event
	refs, err := decodeEventRecord(encodeEventRecord(ev, eventRefs{subject: true, issued: true, requester: true}), &got)
	if err != nil {
		t.Fatal(err)
	}
	want := ev
	want.Kind, want.Account, want.Department, want.Time, want.Actor = "", "", "", time.Time{}, ""
	if refs != (eventRefs{subject: true, issued: true, requester: true}) || !reflect.DeepEqual(got, want) {
		t.Errorf("by reference: refs %+v\n got %+v\nwant %+v", refs, got, want)
	}
}

// TestSubjectPrefix: the prefix an event's subject gives is exactly how
// its flow's record starts, which the append script relies on.
func TestSubjectPrefix(t *testing.T) {
	f := fullFlow()
	ev := flows.Event{Kind: f.Kind, AccountID: f.Subject.AccountID, Account: f.Subject.AccountName, Department: f.Subject.Department}
	rec := string(encodeFlow(f))
	pre := subjectPrefix(ev)
	if rec[1:1+len(pre)] != pre || rec[1+len(pre)] <= fDepartment {
		t.Fatalf("record %q does not start with the subject prefix %q and a later tag", rec, pre)
	}
}

// FuzzFlowRecord: any input decodes to a flow or an error, never a panic;
// what decodes encodes back to a record that decodes to the same flow.
func FuzzFlowRecord(f *testing.F) {
	f.Add(encodeFlow(fullFlow()))
	f.Add(encodeFlow(&flows.Flow{}))
	data, _ := json.Marshal(fullFlow())
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		var a flows.Flow
		if decodeFlow(data, &a) != nil || (len(data) > 0 && data[0] == '{') {
			return
		}
		var b flows.Flow
		if err := decodeFlow(encodeFlow(&a), &b); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if !reflect.DeepEqual(normal(a), normal(b)) {
			t.Fatalf("round trip differs:\n%+v\n%+v", a, b)
		}
	})
}

// normal clears what a record may legitimately spell two ways (an empty
// list element list against none).
func normal(f flows.Flow) flows.Flow {
	if len(f.Verified) == 0 {
		f.Verified = nil
	}
	if len(f.Changed) == 0 {
		f.Changed = nil
	}
	if len(f.Risk) == 0 {
		f.Risk = nil
	}
	return f
}

// FuzzEventRecord: any input decodes to an event or an error, never a
// panic; what decodes re-encodes whole to the same event.
func FuzzEventRecord(f *testing.F) {
	f.Add(encodeEventRecord(fullEvent(), eventRefs{}))
	f.Add(encodeEventRecord(fullEvent(), eventRefs{subject: true, issued: true, requester: true}))
	f.Fuzz(func(t *testing.T, data []byte) {
		var a flows.Event
		if _, err := decodeEventRecord(data, &a); err != nil || (len(data) > 0 && data[0] == '{') {
			return
		}
		var b flows.Event
		if _, err := decodeEventRecord(encodeEventRecord(a, eventRefs{}), &b); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip differs:\n%+v\n%+v", a, b)
		}
	})
}
