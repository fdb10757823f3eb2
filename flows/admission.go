package flows

import "time"

// Admission is what a start asks of the store once the account is known,
// all in one round trip (Store.Admit): spend the account's request
// budget, count the risk signals' windows, and read the account's live
// flows. Each part is what Take, Used and LiveIDs do on their own.
type Admission struct {
	// Budget is spent as Take spends it; a Max of 0 or less spends
	// nothing and admits.
	Budget Budget
	// Counts are read as Used reads them (after the budget's spend, which
	// they never name).
	Counts []Window
	// AccountID and Kinds name the live flows to read, as LiveIDs reads
	// them; no kinds reads none.
	AccountID string
	Kinds     []Kind
}

// Budget is one sliding-window budget: at most Max uses of Key in any
// Window.
type Budget struct {
	Key    string
	Window time.Duration
	Max    int
}

// Window is one sliding-window count: the uses of Key in the Window
// ending now.
type Window struct {
	Key    string
	Window time.Duration
}

// Admitted is the store's answer to an Admission.
type Admitted struct {
	// Allowed is Take's answer for the budget (true when none is set).
	Allowed bool
	// Counts are Used's answers, in the order of Admission.Counts.
	Counts []int64
	// Live are LiveIDs' answers, in the order of Admission.Kinds.
	Live []string
}
