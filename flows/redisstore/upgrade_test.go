package redisstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/redisstore"
	"github.com/resetbot/resetbot/internal/testenv"
)

// TestUpgradeFromJSON: a flow and audit entries stored by the previous
// release (a hash holding the flow's JSON, JSON stream entries) are read,
// updated (the flow then takes the compact record) and delivered, and an
// old live-index key counts until a new flow replaces it, on
// miniredis and on a real redis-server.
func TestUpgradeFromJSON(t *testing.T) {
	t.Run("miniredis", func(t *testing.T) {
		m := miniredis.RunT(t)
		rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
		t.Cleanup(func() { rdb.Close() })
		upgradeFromJSON(t, rdb)
	})
	t.Run("redis", func(t *testing.T) {
		rdb := redis.NewClient(&redis.Options{Addr: testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")})
		t.Cleanup(func() { rdb.Close() })
		upgradeFromJSON(t, rdb)
	})
}

func upgradeFromJSON(t *testing.T, rdb *redis.Client) {
	ctx := context.Background()
	prefix := fmt.Sprintf("u%x-%d", run, prefixes.Add(1))
	st := redisstore.New(rdb, redisstore.Options{Prefix: prefix})
	const account = "3b0e4b8e-8a70-4d7c-9d0c-2e2f8f6d1c55"
	id, err := flows.NewFlowID(account)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	old := &flows.Flow{
		ID: id, Kind: flows.KindReset, State: flows.StateIssued, Version: 3,
		Subject:     flows.Subject{AccountID: account, AccountName: "jdoe", DisplayName: "John Doe", Department: "IT", Chat: flows.ChatIdentity{Platform: "slack", UserID: "U1"}},
		RequestedBy: flows.ChatIdentity{Platform: "slack", UserID: "U1"},
		IssuedAt:    now, ExpiresAt: now.Add(10 * time.Minute), TokenHash: "abc",
	}
	data, err := json.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	shard := flows.ShardOf(account)
	tag := fmt.Sprintf("%s:{%s-%02x}", prefix, prefix, shard)
	if err := rdb.HSet(ctx, tag+":flow:"+id, "v", "3", "d", string(data)).Err(); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(account))
	oldLive := tag + ":live:reset:" + hex.EncodeToString(sum[:16])
	if err := rdb.Set(ctx, oldLive, id, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	oldEv := flows.Event{Time: now, Type: flows.EventRequested, FlowID: id, Kind: flows.KindReset, Account: "jdoe", AccountID: account, Department: "IT", Actor: "slack:U1", To: flows.StateIssued, Outcome: "ok"}
	evData, _ := json.Marshal(oldEv)
	if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: tag + ":audit", Values: []any{"e", string(evData)}}).Err(); err != nil {
		t.Fatal(err)
	}

	got, err := st.Get(ctx, id)
	if err != nil {
		t.Fatalf("Get of a JSON flow: %v", err)
	}
	if got.Version != 3 || got.Subject.AccountName != "jdoe" || !got.ExpiresAt.Equal(old.ExpiresAt) {
		t.Fatalf("JSON flow read as %+v", got)
	}
	stale := *got
	got.State = flows.StateRedeemed
	redeemed := flows.Event{Time: now, Type: flows.EventLinkRedeemed, FlowID: id, Kind: flows.KindReset, Account: "jdoe", AccountID: account, Department: "IT", Actor: "slack:U1", From: flows.StateIssued, To: flows.StateRedeemed, Outcome: "ok"}
	if err := st.Update(ctx, got, []flows.Event{redeemed}); err != nil {
		t.Fatalf("Update of a JSON flow: %v", err)
	}
	if err := st.Update(ctx, &stale, nil); err == nil {
		t.Fatal("an update at the JSON flow's old version won")
	}
	if typ := rdb.Type(ctx, tag+":flow:"+id).Val(); typ != "string" {
		t.Fatalf("after the update the flow key is a %s, want the compact record (string)", typ)
	}
	again, err := st.Get(ctx, id)
	if err != nil || again.Version != 4 || again.State != flows.StateRedeemed || again.Subject.DisplayName != "John Doe" {
		t.Fatalf("after the update: %+v, %v", again, err)
	}
	// The live index of the previous release: a key per account and kind.
	if id2, err := st.LiveID(ctx, account, flows.KindReset); err != nil || id2 != id {
		t.Fatalf("LiveID with the old live key = %q, %v; want %s", id2, err, id)
	}
	next, err := flows.NewFlowID(account)
	if err != nil {
		t.Fatal(err)
	}
	nf := *old
	nf.ID, nf.Version = next, 0
	if err := st.Create(ctx, &nf, "", nil); !errors.Is(err, flows.ErrConflict) {
		t.Fatalf("Create ignoring the old live key = %v, want a conflict", err)
	}
	if err := st.Create(ctx, &nf, id, nil); err != nil {
		t.Fatalf("Create replacing the old live key: %v", err)
	}
	if n := rdb.Exists(ctx, oldLive).Val(); n != 0 {
		t.Fatal("the old live key outlived its replacement")
	}
	if id2, err := st.LiveID(ctx, account, flows.KindReset); err != nil || id2 != next {
		t.Fatalf("LiveID after the move = %q, %v; want %s", id2, err, next)
	}
	evs, err := st.ReadEvents(ctx, "sink", "c1", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 {
		t.Fatalf("read %d events, want the JSON one and the compact one", len(evs))
	}
	for i, want := range []flows.Event{oldEv, redeemed} {
		evs[i].ID = ""
		if evs[i] != want {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, evs[i], want)
		}
	}
}
