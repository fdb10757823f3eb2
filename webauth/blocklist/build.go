package blocklist

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math/rand/v2"
	"slices"

	"github.com/FastFilter/xorfilter"
)

// ErrTooManyMalformed is returned when more than 1% of the lines are
// malformed: at that point the input is the wrong file (NTLM hashes, a
// zip, an HTML error page), and a filter built from the remainder would
// silently miss most of the corpus.
var ErrTooManyMalformed = errors.New("blocklist: too many malformed lines")

// buildOptions are the knobs tests turn; Build uses defaultBuildOptions.
type buildOptions struct {
	// maxShardKeys bounds the keys per shard (see format.go for why).
	maxShardKeys int
	// probes is the number of random keys used to measure the
	// false-positive rate.
	probes int
}

var defaultBuildOptions = buildOptions{maxShardKeys: 1 << 26, probes: 1_000_000}

// readBufferSize is large so that the line loop, not read syscalls,
// dominates the cost of a multi-gigabyte input.
const readBufferSize = 1 << 20

// minLineBytes is the shortest line that can hold a key (40 hex digits and
// a newline); it turns a file size into an upper bound on the key count.
const minLineBytes = sha1HexLen + 1

// Build reads the Pwned Passwords text format from r in one streaming pass
// and writes a filter file to w. Only a uint64 per line is kept; the keys
// are then sorted, deduplicated and turned into one binary fuse filter per
// shard, written as soon as it is built. Malformed lines are counted and
// skipped; if more than 1% of the lines are malformed nothing is written and
// the error wraps ErrTooManyMalformed. Stats is filled in as far as the
// build got, also on error.
//
// Memory: 8 bytes per distinct line plus about 25 bytes per key of the
// largest shard (at most 2^26 keys), so the full corpus of about a billion
// hashes needs about 10 GB. When r is a regular file its size is used to
// reserve the key slice once, instead of growing and copying it.
func Build(r io.Reader, w io.Writer) (Stats, error) {
	return build(r, w, defaultBuildOptions)
}

func build(r io.Reader, w io.Writer, opt buildOptions) (Stats, error) {
	var st Stats
	keys, err := readKeys(r, &st)
	if err != nil {
		return st, err
	}
	if st.Malformed*100 > st.Lines {
		return st, fmt.Errorf("%w: %d of %d lines, first at line %d", ErrTooManyMalformed, st.Malformed, st.Lines, st.FirstMalformedLine)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	st.Keys = int64(len(keys))
	st.Duplicates = st.Lines - st.Malformed - st.Keys
	if len(keys) == 0 {
		return st, errors.New("blocklist: no valid SHA-1 lines in the input")
	}
	shardBits := 0
	for len(keys)>>shardBits > opt.maxShardKeys && shardBits < maxShardBits {
		shardBits++
	}
	st.Shards = 1 << shardBits

	cw := &checksumWriter{w: w}
	hdr := fileHeader{version: formatVersion, fpBits: fingerprintBits, shardBits: uint8(shardBits), keys: uint64(len(keys))}
	if err := cw.write(hdr.appendTo(nil)); err != nil {
		return st, err
	}
	var builder xorfilter.BinaryFuseBuilder
	rng := rand.New(rand.NewPCG(0x5EED, 0xB10C)) // fixed: reproducible stats
	probesPerShard := (opt.probes + st.Shards - 1) / st.Shards
	var falsePositives int64
	rest := keys
	for s := range st.Shards {
		n := shardLen(rest, s, shardBits)
		shardKeys := rest[:n]
		rest = rest[n:]
		sh := shardHeader{keys: uint32(n)}
		var filter xorfilter.BinaryFuse[uint8]
		if n > 0 {
			// BuildBinaryFuse is what PopulateBinaryFuse8 calls; using it
			// directly reuses one builder's scratch memory for every shard.
			// It only reorders keys when they contain duplicates, which
			// Compact removed, so shardKeys stays sorted for the probe below.
			filter, err = xorfilter.BuildBinaryFuse[uint8](&builder, shardKeys)
			if err != nil {
				return st, fmt.Errorf("blocklist: build shard %d of %d keys: %w", s, n, err)
			}
			sh.seed = filter.Seed
			sh.segmentLength = filter.SegmentLength
			sh.segmentLengthMask = filter.SegmentLengthMask
			sh.segmentCount = filter.SegmentCount
			sh.segmentCountLength = filter.SegmentCountLength
			sh.fingerprints = uint32(len(filter.Fingerprints))
		}
		if err := cw.write(sh.appendTo(nil)); err != nil {
			return st, err
		}
		if err := cw.write(filter.Fingerprints); err != nil {
			return st, err
		}
		if n == 0 {
			continue // an empty shard answers false: no false positives
		}
		falsePositives += probeShard(&filter, shardKeys, s, shardBits, probesPerShard, rng)
	}
	if _, err := w.Write(binary.LittleEndian.AppendUint32(nil, cw.crc)); err != nil {
		return st, fmt.Errorf("blocklist: write: %w", err)
	}
	st.Bytes = cw.n + trailerLen
	st.BitsPerEntry = float64(st.Bytes) * 8 / float64(st.Keys)
	st.FalsePositiveProbes = int64(probesPerShard) * int64(st.Shards)
	st.FalsePositiveRate = float64(falsePositives) / float64(st.FalsePositiveProbes)
	return st, nil
}

// readKeys is the streaming pass: one key per valid line, nothing else kept.
func readKeys(r io.Reader, st *Stats) ([]uint64, error) {
	var keys []uint64
	if sf, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := sf.Stat(); err == nil && fi.Mode().IsRegular() {
			// An upper bound on the line count. Untouched capacity costs
			// address space, not memory: fresh pages are not resident.
			keys = make([]uint64, 0, fi.Size()/minLineBytes+1)
		}
	}
	br := bufio.NewReaderSize(r, readBufferSize)
	var lineNo int64
	for {
		line, err := br.ReadSlice('\n')
		long := false
		for errors.Is(err, bufio.ErrBufferFull) {
			// A megabyte without a newline is not a hash line; skip
			// the rest of it without holding it.
			long = true
			_, err = br.ReadSlice('\n')
		}
		if len(line) > 0 {
			lineNo++
			if lineNo == 1 {
				line = trimBOM(line)
			}
			key, kind := parseLine(line)
			if long {
				kind = lineMalformed
			}
			switch kind {
			case lineKey:
				st.Lines++
				keys = append(keys, key)
			case lineMalformed:
				st.Lines++
				st.Malformed++
				if st.FirstMalformedLine == 0 {
					st.FirstMalformedLine = lineNo
				}
			}
		}
		if err == io.EOF {
			return keys, nil
		}
		if err != nil {
			return nil, fmt.Errorf("blocklist: read line %d: %w", lineNo+1, err)
		}
	}
}

func trimBOM(line []byte) []byte {
	if len(line) >= len(utf8BOM) && string(line[:len(utf8BOM)]) == string(utf8BOM) {
		return line[len(utf8BOM):]
	}
	return line
}

// shardLen is how many of the sorted keys belong to shard s, which holds the
// keys whose top shardBits bits equal s.
func shardLen(sorted []uint64, s, shardBits int) int {
	if shardBits == 0 {
		return len(sorted)
	}
	shift := 64 - uint(shardBits)
	n, _ := slices.BinarySearchFunc(sorted, uint64(s)+1, func(k, next uint64) int {
		if k>>shift < next {
			return -1
		}
		return 1
	})
	return n
}

// probeShard counts false positives among n random keys that fall in shard
// s but are not in its sorted key set: exactly what a random password that
// is not in the corpus would meet.
func probeShard(f *xorfilter.BinaryFuse[uint8], sorted []uint64, s, shardBits, n int, rng *rand.Rand) int64 {
	var prefix, mask uint64 = 0, ^uint64(0)
	if shardBits > 0 {
		prefix = uint64(s) << (64 - uint(shardBits))
		mask = ^uint64(0) >> uint(shardBits)
	}
	var fp int64
	for i := 0; i < n; {
		k := prefix | rng.Uint64()&mask
		if !f.Contains(k) {
			i++ // no false negatives: certainly absent, a true negative
			continue
		}
		// Only a positive needs the exact membership test; a key that
		// really is in the set is not a probe at all.
		if _, in := slices.BinarySearch(sorted, k); !in {
			i++
			fp++
		}
	}
	return fp
}

// checksumWriter writes through to w while keeping the CRC and byte count
// of everything written, so the trailer needs no second pass.
type checksumWriter struct {
	w   io.Writer
	crc uint32
	n   int64
}

func (c *checksumWriter) write(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	n, err := c.w.Write(p)
	c.crc = crc32.Update(c.crc, castagnoli, p[:n])
	c.n += int64(n)
	if err != nil {
		return fmt.Errorf("blocklist: write: %w", err)
	}
	return nil
}
