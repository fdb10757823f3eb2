package bot

import (
	"fmt"
	"time"
)

// minutes words a duration in whole minutes with the right plural ("1
// minute", "10 minutes"); under a minute counts as one, so a link never
// reads as lasting "0 minutes".
func minutes(d time.Duration) string {
	n := max(int(d.Round(time.Minute).Minutes()), 1)
	if n == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", n)
}
