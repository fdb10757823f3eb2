package bot

import "sync"

// doneUnmarked remembers, in this process, jobs that were done (a post
// went out) but whose mark could not be stored: Redis failed right after
// the post. The event stays pending and is delivered again; with this
// memory the retry stores the mark instead of doing the job again, so a
// Redis outage between a post and its mark never posts twice (a Cluster
// master stopped mid-test did that: "Requested by" twice in a thread). A
// process that dies in that instant still repeats the job once: delivery
// is at least once.
type doneUnmarked struct {
	mu    sync.Mutex
	keys  map[string]bool
	order []string
}

// doneUnmarkedMax bounds the memory: far more jobs than can be done while
// Redis is away, since nothing new is read from the stream meanwhile.
const doneUnmarkedMax = 4096

func (d *doneUnmarked) add(group, id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.keys == nil {
		d.keys = map[string]bool{}
	}
	k := group + "\x00" + id
	if d.keys[k] {
		return
	}
	if len(d.order) >= doneUnmarkedMax {
		delete(d.keys, d.order[0])
		d.order = d.order[1:]
	}
	d.keys[k] = true
	d.order = append(d.order, k)
}

func (d *doneUnmarked) has(group, id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.keys[group+"\x00"+id]
}

func (d *doneUnmarked) remove(group, id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	k := group + "\x00" + id
	if !d.keys[k] {
		return
	}
	delete(d.keys, k)
	for i, o := range d.order {
		if o == k {
			d.order = append(d.order[:i], d.order[i+1:]...)
			break
		}
	}
}
