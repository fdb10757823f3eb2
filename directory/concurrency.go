package directory

// Concurrent is an optional capability: a backend that serves many
// requests at once (a pool of connections, each carrying several
// outstanding requests) says how many. Work that waits on the directory
// is sized by it: fewer requests in flight leave a slow directory's
// capacity unused (links go out at a fraction of what it can answer),
// more only queue inside the pool until its timeout. Backends without a
// meaningful bound (the in-memory directory) need not implement it.
type Concurrent interface {
	// Concurrency is how many requests the backend carries at once.
	Concurrency() int
}
