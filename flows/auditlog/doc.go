// Package auditlog writes the audit stream to a JSON-lines file that a SIEM
// can ship, and makes tampering with that file detectable.
//
// Each line is one record {"seq":N,"prev":"<hex>","event":{...}}: seq counts
// records from 1 without gaps, and prev is the SHA-256 of the previous line's
// exact bytes (without the newline; 64 zeros for the first record). Editing,
// removing or reordering a line therefore breaks the chain at that point, and
// Verify names the first broken record.
//
// Options.Format FormatECS writes the same record as an Elastic Common
// Schema document instead, its seq in event.sequence and its prev in
// resetbot.prev; Verify reads either, line by line.
//
// What the chain does NOT prove, honestly:
//   - Removing records from the END of the file leaves a valid, shorter
//     chain. Detect that by storing the Report.LastHash (the anchor) of a
//     verified file somewhere the audit host cannot write, and checking later
//     that the record with that seq still has that hash.
//   - A plain chain is not keyed: someone who can write the file can
//     rewrite every record after their edit and recompute the hashes.
//     Options.Key makes it keyed (each prev an HMAC-SHA256), so a rewrite
//     also needs the key; the service also logs the chain head every few
//     minutes and exports its seq as a metric, so a copy kept elsewhere
//     shows a cut or a rewrite.
//
// Several replicas write one chain: a lease in Redis (RedisChain) lets
// one write at a time and holds the chain head, which a successor
// continues from when the writer dies. Each replica may write its own file
// (or standard output, or syslog); VerifyPieces (`resetbot audit verify A
// B ...`) checks their records together, in seq order, as one chain.
//
// The Sink is fed by the audit stream reader with at-least-once delivery, so
// it deduplicates on the stream entry id of each event (with a Chain, on
// the shared per-event marks).
package auditlog
