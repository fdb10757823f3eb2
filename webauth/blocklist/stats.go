package blocklist

// Stats describes a finished (or refused) build, for the operator who has to
// decide whether the file they fed in was the right one and whether the
// resulting filter is good enough to deploy.
type Stats struct {
	// Lines is the number of non-blank lines read.
	Lines int64
	// Keys is the number of distinct keys in the filter.
	Keys int64
	// Duplicates is Lines - Malformed - Keys: repeated hashes (or distinct
	// hashes sharing their first 64 bits) merged into one key.
	Duplicates int64
	// Malformed is the number of lines skipped because they were not
	// "SHA1HEX[:COUNT]".
	Malformed int64
	// FirstMalformedLine is the 1-based line number of the first malformed
	// line, 0 when there was none, so the operator can look at it.
	FirstMalformedLine int64
	// Shards is the number of filter shards written.
	Shards int
	// Bytes is the size of the written file.
	Bytes int64
	// BitsPerEntry is Bytes*8/Keys: the real cost of the filter, headers
	// and checksum included.
	BitsPerEntry float64
	// FalsePositiveRate is the measured share of random keys, known not to
	// be in the set, that the filter nevertheless reported as present.
	FalsePositiveRate float64
	// FalsePositiveProbes is how many random keys were tried to measure
	// FalsePositiveRate.
	FalsePositiveProbes int64
}
