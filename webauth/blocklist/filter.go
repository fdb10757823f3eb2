package blocklist

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"

	"github.com/FastFilter/xorfilter"
)

// ErrCorrupt is wrapped by every error that means the file is not a usable
// filter (truncated, wrong magic or version, bad checksum, inconsistent
// fields), so callers can tell "rebuild it" from "cannot read it".
var ErrCorrupt = errors.New("corrupt filter file")

// Filter is a loaded breached-password filter. It is read-only and safe for
// concurrent use; the web app loads it once at start and shares it.
type Filter struct {
	keys      uint64
	shardBits uint8
	shards    []xorfilter.BinaryFuse[uint8]
}

var _ Checker = (*Filter)(nil)

// Load reads and verifies a filter file written by Build. The file is read
// whole into one allocation that the filter then uses in place: a full-corpus
// filter is about a gigabyte and is checked end to end by its CRC anyway, so
// memory-mapping would save only the copy (see BENCHMARKS.md) while adding
// SIGBUS on a file truncated under a running process.
func Load(path string) (*Filter, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("blocklist: load: %w", err)
	}
	f, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("blocklist: load %s: %w", path, err)
	}
	return f, nil
}

// decode verifies and parses a whole filter file. The returned filter
// aliases data.
func decode(data []byte) (*Filter, error) {
	if len(data) < headerLen+trailerLen {
		return nil, fmt.Errorf("%w: %d bytes is shorter than the header", ErrCorrupt, len(data))
	}
	if string(data[:4]) != magic {
		return nil, fmt.Errorf("%w: not a resetbot blocklist (bad magic)", ErrCorrupt)
	}
	le := binary.LittleEndian
	h := fileHeader{
		version:   le.Uint16(data[4:]),
		fpBits:    data[6],
		shardBits: data[7],
		keys:      le.Uint64(data[8:]),
	}
	if h.version != formatVersion {
		return nil, fmt.Errorf("%w: format version %d, this build reads %d", ErrCorrupt, h.version, formatVersion)
	}
	body, trailer := data[:len(data)-trailerLen], data[len(data)-trailerLen:]
	if got, want := crc32.Checksum(body, castagnoli), le.Uint32(trailer); got != want {
		return nil, fmt.Errorf("%w: checksum mismatch (file truncated or damaged)", ErrCorrupt)
	}
	if h.fpBits != fingerprintBits {
		return nil, fmt.Errorf("%w: %d-bit fingerprints, want %d", ErrCorrupt, h.fpBits, fingerprintBits)
	}
	if h.shardBits > maxShardBits {
		return nil, fmt.Errorf("%w: %d shard bits, at most %d", ErrCorrupt, h.shardBits, maxShardBits)
	}
	f := &Filter{keys: h.keys, shardBits: h.shardBits, shards: make([]xorfilter.BinaryFuse[uint8], 1<<h.shardBits)}
	rest := body[headerLen:]
	var total uint64
	for i := range f.shards {
		if len(rest) < shardHeaderLen {
			return nil, fmt.Errorf("%w: shard %d header truncated", ErrCorrupt, i)
		}
		sh := decodeShardHeader(rest)
		rest = rest[shardHeaderLen:]
		if uint64(len(rest)) < uint64(sh.fingerprints) {
			return nil, fmt.Errorf("%w: shard %d fingerprints truncated", ErrCorrupt, i)
		}
		if err := sh.validate(); err != nil {
			return nil, fmt.Errorf("%w: shard %d: %w", ErrCorrupt, i, err)
		}
		f.shards[i] = xorfilter.BinaryFuse[uint8]{
			Seed:               sh.seed,
			SegmentLength:      sh.segmentLength,
			SegmentLengthMask:  sh.segmentLengthMask,
			SegmentCount:       sh.segmentCount,
			SegmentCountLength: sh.segmentCountLength,
			Fingerprints:       rest[:sh.fingerprints:sh.fingerprints],
		}
		rest = rest[sh.fingerprints:]
		total += uint64(sh.keys)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d unexpected bytes after the last shard", ErrCorrupt, len(rest))
	}
	if total != h.keys {
		return nil, fmt.Errorf("%w: shards hold %d keys, header says %d", ErrCorrupt, total, h.keys)
	}
	return f, nil
}

// validate checks the invariants the lookup relies on, so that even a file
// with a valid checksum but nonsensical fields (a bug in another writer)
// cannot make Contains index out of range.
func (h shardHeader) validate() error {
	if h.fingerprints == 0 {
		if h.keys != 0 {
			return fmt.Errorf("%d keys but no fingerprints", h.keys)
		}
		return nil
	}
	if h.segmentLength == 0 || h.segmentLength&(h.segmentLength-1) != 0 || h.segmentLengthMask != h.segmentLength-1 {
		return fmt.Errorf("segment length %d / mask %d invalid", h.segmentLength, h.segmentLengthMask)
	}
	if uint64(h.segmentCount)*uint64(h.segmentLength) != uint64(h.segmentCountLength) {
		return fmt.Errorf("segment count length %d != %d segments of %d", h.segmentCountLength, h.segmentCount, h.segmentLength)
	}
	// The third probe of a key lands at most two segments past the
	// segment-count range.
	if need := uint64(h.segmentCountLength) + 2*uint64(h.segmentLength); uint64(h.fingerprints) < need {
		return fmt.Errorf("%d fingerprints, lookups need %d", h.fingerprints, need)
	}
	return nil
}

// Contains reports whether password is (probably) in the breach corpus the
// filter was built from. False positives happen at the rate Build reported;
// false negatives never. A nil filter contains nothing, so an optional
// filter can be passed to Combine without a check.
func (f *Filter) Contains(password string) bool {
	if f == nil {
		return false
	}
	return f.containsKey(keyOf(password))
}

func (f *Filter) containsKey(key uint64) bool {
	// A shift by 64 yields 0 in Go, so zero shard bits selects shard 0.
	s := &f.shards[key>>(64-uint(f.shardBits))]
	if len(s.Fingerprints) == 0 {
		return false
	}
	return s.Contains(key)
}

// Keys is the number of distinct breached passwords in the filter, for
// start-up logs and metrics.
func (f *Filter) Keys() uint64 {
	if f == nil {
		return 0
	}
	return f.keys
}
