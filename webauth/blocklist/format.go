package blocklist

import (
	"encoding/binary"
	"hash/crc32"
)

// The file format, version 1. Everything is little-endian.
//
//	header (16 bytes)
//	  0  [4]byte  magic "RBBL"
//	  4  uint16   version (1)
//	  6  uint8    fingerprint bits (8)
//	  7  uint8    shard bits b: the filter is split into 2^b shards by the
//	              top b bits of the key
//	  8  uint64   number of distinct keys
//	then for each shard, in key order:
//	  shard header (32 bytes)
//	  0  uint64   seed
//	  8  uint32   segment length
//	  12 uint32   segment length mask
//	  16 uint32   segment count
//	  20 uint32   segment count length
//	  24 uint32   number of keys in this shard
//	  28 uint32   number of fingerprints n (0 for an empty shard)
//	  32 [n]byte  fingerprints
//	trailer
//	  uint32      CRC-32C (Castagnoli) of every byte before it
//
// Sharding exists so that building from the full corpus fits in memory: the
// filter construction needs about 25 bytes of scratch per key, which for a
// billion keys would not fit next to the keys themselves; per shard of at
// most 2^26 keys it is under 2 GB. It also lifts the filter library's 2^32
// key limit. CRC-32C guards against truncation and bit rot (it is hardware
// accelerated, so checking a gigabyte costs well under a second); it is not
// a defence against someone who can write the file, who could equally write
// a valid filter of their choosing.
const (
	magic           = "RBBL"
	formatVersion   = 1
	fingerprintBits = 8
	headerLen       = 16
	shardHeaderLen  = 32
	trailerLen      = 4
	// maxShardBits bounds what Load accepts, so a corrupted header cannot
	// make it allocate millions of shards.
	maxShardBits = 16
)

// castagnoli is the CRC-32C table used for the trailer.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// fileHeader is the decoded fixed header.
type fileHeader struct {
	version   uint16
	fpBits    uint8
	shardBits uint8
	keys      uint64
}

func (h fileHeader) appendTo(b []byte) []byte {
	b = append(b, magic...)
	b = binary.LittleEndian.AppendUint16(b, h.version)
	b = append(b, h.fpBits, h.shardBits)
	return binary.LittleEndian.AppendUint64(b, h.keys)
}

// shardHeader is the decoded per-shard header.
type shardHeader struct {
	seed               uint64
	segmentLength      uint32
	segmentLengthMask  uint32
	segmentCount       uint32
	segmentCountLength uint32
	keys               uint32
	fingerprints       uint32
}

func (h shardHeader) appendTo(b []byte) []byte {
	b = binary.LittleEndian.AppendUint64(b, h.seed)
	b = binary.LittleEndian.AppendUint32(b, h.segmentLength)
	b = binary.LittleEndian.AppendUint32(b, h.segmentLengthMask)
	b = binary.LittleEndian.AppendUint32(b, h.segmentCount)
	b = binary.LittleEndian.AppendUint32(b, h.segmentCountLength)
	b = binary.LittleEndian.AppendUint32(b, h.keys)
	return binary.LittleEndian.AppendUint32(b, h.fingerprints)
}

func decodeShardHeader(b []byte) shardHeader {
	le := binary.LittleEndian
	return shardHeader{
		seed:               le.Uint64(b[0:]),
		segmentLength:      le.Uint32(b[8:]),
		segmentLengthMask:  le.Uint32(b[12:]),
		segmentCount:       le.Uint32(b[16:]),
		segmentCountLength: le.Uint32(b[20:]),
		keys:               le.Uint32(b[24:]),
		fingerprints:       le.Uint32(b[28:]),
	}
}
