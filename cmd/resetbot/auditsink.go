package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/auditlog"
)

// newAuditSink opens the JSON audit log with the writer lease and chain
// head in Redis, so several replicas write one chain, and exports the
// chain head's seq as a metric (resetbot_audit_chain_seq).
func newAuditSink(cfg *config.Config, rdb redis.UniversalClient, store flows.Store, reg prometheus.Registerer, log *slog.Logger) (*auditlog.Sink, error) {
	var key []byte
	if k := cfg.Audit.ChainKey.Reveal(); k != "" {
		key = []byte(k)
	}
	format, err := auditlog.ParseFormat(cfg.Audit.Format)
	if err != nil {
		return nil, err
	}
	return openAuditSink(cfg.Audit.LogFile, format, key, cfg.Redis.KeyPrefix, rdb, store, reg, log)
}

// openAuditSink is newAuditSink with the settings spelled out.
func openAuditSink(target string, format auditlog.Format, key []byte, prefix string, rdb redis.UniversalClient, store flows.Store, reg prometheus.Registerer, log *slog.Logger) (*auditlog.Sink, error) {
	if prefix == "" {
		prefix = "rb"
	}
	sink, err := auditlog.OpenTarget(target, auditlog.Options{
		Key:    key,
		Format: format,
		Chain:  auditlog.NewRedisChain(rdb, store, prefix, 0),
		Owner:  flows.ConsumerName(),
		Log:    log,
	})
	if err != nil {
		return nil, err
	}
	seq := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: "resetbot", Name: "audit_chain_seq",
		Help: "Seq of the last record in the audit log's hash chain as this replica knows it; a value that goes down means the chain was cut.",
	}, func() float64 { return float64(sink.Head().Seq) })
	if err := reg.Register(seq); err != nil {
		sink.Close()
		return nil, err
	}
	return sink, nil
}

// chainHeadEvery is how often the chain head is published in the log, so
// a copy outside the audit host (the log collector's) shows later whether
// records were cut from the end or the chain rewritten.
const chainHeadEvery = 5 * time.Minute

// auditUpkeep reopens the audit log on SIGHUP (log rotation) and publishes
// the chain head periodically, until ctx ends.
func auditUpkeep(ctx context.Context, sink *auditlog.Sink, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	t := time.NewTicker(chainHeadEvery)
	defer t.Stop()
	last := auditlog.Head{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if err := sink.Reopen(); err != nil {
				log.Error("audit log reopen failed; still writing the old file", "err", err)
			} else {
				log.Info("audit log reopened")
			}
		case <-t.C:
			if h := sink.Head(); h.Seq != last.Seq {
				last = h
				log.Info("audit chain head", "seq", h.Seq, "hash", h.Hash)
			}
		}
	}
}
