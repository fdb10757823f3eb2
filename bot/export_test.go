package bot

import "time"

// SetWorkTimeout changes the deadline of the background work b accepts
// from now on, so a test can make a queued piece late without waiting two
// minutes (workTimeout).
func SetWorkTimeout(b *Bot, d time.Duration) { b.work.setTimeout(d) }
