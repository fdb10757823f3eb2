package password

import (
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/ccojocar/zxcvbn-go"
	"github.com/ccojocar/zxcvbn-go/adjacency"
	"github.com/ccojocar/zxcvbn-go/entropy"
	"github.com/ccojocar/zxcvbn-go/frequency"
	"github.com/ccojocar/zxcvbn-go/match"
	"github.com/ccojocar/zxcvbn-go/matching"
	"github.com/ccojocar/zxcvbn-go/scoring"
	zxmath "github.com/ccojocar/zxcvbn-go/utils/math"
)

// zxcvbnScore is zxcvbn.PasswordStrength(candidate, userInputs).Score,
// the same score from the same matches, computed for less CPU (#10).
//
// The library's own dictionary matcher converts every substring of the
// password from runes to a new string before each of its five lookups,
// with no bound on the substring's length, and its l33t matcher runs that
// matcher again on every substitution of the password's digits and
// symbols (a generated password has several, so a dozen runs or more);
// its keyboard-walk matcher decodes the gzipped keyboard layout twice for
// every walk it finds. Those three matchers, about nine tenths of the
// estimate's CPU on a generated password, are done here instead, from the
// library's own word lists, layouts and entropy formulas: one lookup per
// substring for all lists (dictionary), substrings are slices of the
// lowercased password (no copy) that stop growing once no word starts
// with them, and a substituted variant yields matches only over ranges
// that hold a substitution (any other range is the unsubstituted match
// already found). The repeat, sequence and date
// matchers and the scoring are the library's, called as they are.
//
// Only ASCII passwords take this path (a byte is then a character, as the
// library's indices assume); any other goes to the library unchanged.
// TestScoreMatchesZxcvbn compares the two on thousands of passwords.
func zxcvbnScore(candidate string, userInputs []string) int {
	return zxcvbnResult(candidate, userInputs).Score
}

// zxcvbnResult is zxcvbn.PasswordStrength's result as zxcvbnScore finds
// it (CalcTime, which the library measures, left zero).
func zxcvbnResult(candidate string, userInputs []string) scoring.MinEntropyMatch {
	if !isASCII(candidate) {
		return zxcvbn.PasswordStrength(candidate, userInputs)
	}
	lists := wordLists()
	matches := matching.Omnimatch(candidate, nil, lists.replaced)
	lower := strings.ToLower(candidate)
	if userInputs != nil {
		user := newWordList("user_inputs", userInputs)
		matches = user.appendMatches(matches, candidate, lower)
	}
	matches = lists.words.appendMatches(matches, candidate, lower, nil)
	matches = appendSpatialMatches(matches, candidate)
	matches = appendL33tMatches(matches, candidate, lists.words)
	sort.Sort(match.Matches(matches))
	return scoring.MinimumEntropyMatchSequence(candidate, matches)
}

// Prepare builds what the strength estimate needs once per process (its
// dictionary, about 0.2 s of CPU), so that the first live check does not
// wait for it; a server calls it in the background at start. The estimate
// builds it itself when Prepare was not called.
func Prepare() { wordLists() }

// isASCII reports whether s holds only ASCII bytes.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// wordList is the user's own inputs (names, account, mail) as the
// library ranks them (lowercased word -> rank from 1), with the longest.
type wordList struct {
	name   string
	ranked map[string]int
	maxLen int
}

func newWordList(name string, words []string) *wordList {
	l := &wordList{name: name, ranked: make(map[string]int, len(words))}
	for i, w := range words {
		lw := strings.ToLower(w)
		l.ranked[lw] = i + 1 // a later duplicate overrides, as in the library
		l.maxLen = max(l.maxLen, len(lw))
	}
	return l
}

// appendMatches appends the matches of the list's words in the ASCII
// password pw (lower is pw lowercased), as the library's matcher makes
// them.
func (l *wordList) appendMatches(out []match.Match, pw, lower string) []match.Match {
	for i := 0; i < len(lower); i++ {
		for j := i; j < min(len(lower), i+l.maxLen); j++ {
			if rank, ok := l.ranked[lower[i:j+1]]; ok {
				m := match.Match{Pattern: "dictionary", DictionaryName: l.name, I: i, J: j, Token: pw[i : j+1]}
				m.Entropy = entropy.DictionaryEntropy(m, float64(rank))
				out = append(out, m)
			}
		}
	}
	return out
}

// maxLists bounds the library's frequency lists (it has five).
const maxLists = 6

// dictionary is every frequency list of the library in one map, so that
// each substring costs one lookup, not one per list: a lowercased word's
// rank in each list (0 where it is not in one), and whether the key is
// also the start of a longer word. A substring that is neither a word nor
// the start of one ends the search from its first character. Built once,
// at the first estimate (about 0.2 s), it holds about 200,000 keys (the
// prefixes share the words' bytes) in about 17 MB of heap.
type dictionary struct {
	names   []string
	entries map[string]dictEntry
}

type dictEntry struct {
	ranks  [maxLists]int32
	prefix bool
}

func newDictionary() *dictionary {
	d := &dictionary{entries: map[string]dictEntry{}}
	for name, l := range frequency.Lists {
		if len(d.names) == maxLists {
			panic("password: more zxcvbn frequency lists than maxLists")
		}
		k := len(d.names)
		d.names = append(d.names, name)
		for i, w := range l.List {
			lw := strings.ToLower(w)
			e := d.entries[lw]
			e.ranks[k] = int32(i + 1) // a later duplicate overrides, as in the library
			d.entries[lw] = e
			for p := 1; p < len(lw); p++ {
				e := d.entries[lw[:p]]
				e.prefix = true
				d.entries[lw[:p]] = e
			}
		}
	}
	return d
}

// appendMatches appends the dictionary matches of every list for the
// ASCII password pw (lower is pw lowercased), as the library's matchers
// make them; with changed set (a l33t variant), only those over a range
// holding a changed byte.
func (d *dictionary) appendMatches(out []match.Match, pw, lower string, changed []bool) []match.Match {
	for i := 0; i < len(lower); i++ {
		holds := false
		for j := i; j < len(lower); j++ {
			e, ok := d.entries[lower[i:j+1]]
			if !ok {
				break
			}
			holds = holds || changed == nil || changed[j]
			if holds {
				for k, rank := range e.ranks[:len(d.names)] {
					if rank == 0 {
						continue
					}
					m := match.Match{Pattern: "dictionary", DictionaryName: d.names[k], I: i, J: j, Token: pw[i : j+1]}
					m.Entropy = entropy.DictionaryEntropy(m, float64(rank))
					out = append(out, m)
				}
			}
			if !e.prefix {
				break
			}
		}
	}
	return out
}

// matchLists holds the library's frequency lists as one dictionary, and
// the filter that keeps the library's own dictionary, l33t and spatial
// matchers out of its Omnimatch.
type matchLists struct {
	words    *dictionary
	replaced func(match.Matcher) bool
}

var (
	listsOnce sync.Once
	lists     matchLists
)

func wordLists() *matchLists {
	listsOnce.Do(func() {
		lists.words = newDictionary()
		ids := map[string]bool{matching.L33TMatcherName: true}
		for _, name := range lists.words.names {
			ids[name] = true
		}
		lists.replaced = func(m match.Matcher) bool { return ids[m.ID] || matching.FilterSpatialMatcher(m) }
	})
	return &lists
}

// spatialGraphs are the layouts the library's keyboard-walk matcher uses,
// in its order.
var spatialGraphs = []string{"qwerty", "dvorak", "keypad", "macKeypad"}

// appendSpatialMatches appends the keyboard walks of pw exactly as the
// library's spatial matcher finds them (the same walk over each layout's
// adjacency), with the entropy from the layout already loaded.
func appendSpatialMatches(out []match.Match, pw string) []match.Match {
	for _, name := range spatialGraphs {
		graph := adjacency.GraphMap[name]
		if graph.Graph == nil {
			continue
		}
		for i := 0; i < len(pw)-1; {
			j := i + 1
			lastDirection, turns, shifted := -99, 0, 0
			for {
				found := false
				if j < len(pw) {
					cur := string(pw[j])
					for dir, adj := range graph.Graph[string(pw[j-1])] {
						if !strings.Contains(adj, cur) {
							continue
						}
						found = true
						if strings.Index(adj, cur) == 1 {
							shifted++ // the shifted key: '@' on '2'
						}
						if lastDirection != dir {
							turns++
							lastDirection = dir
						}
						break
					}
				}
				if found {
					j++
					continue
				}
				if j-i > 2 {
					m := match.Match{Pattern: "spatial", I: i, J: j - 1, Token: pw[i:j], DictionaryName: graph.Name}
					m.Entropy = spatialEntropy(m, turns, shifted)
					out = append(out, m)
				}
				i = j
				break
			}
		}
	}
	return out
}

// spatialEntropy is entropy.SpatialEntropy without decoding the qwerty
// layout again on every call: the library takes the starting positions
// and average degree of a qwerty or dvorak walk from the qwerty layout,
// and of a keypad walk from the keypad layout.
func spatialEntropy(m match.Match, turns, shiftCount int) float64 {
	if m.DictionaryName != "qwerty" && m.DictionaryName != "dvorak" {
		return entropy.SpatialEntropy(m, turns, shiftCount) // reads nothing again
	}
	qwerty := qwertyDegree()
	s, d := qwerty.starts, qwerty.degree
	possibilities := 0.0
	length := float64(len(m.Token))
	for i := 2.0; i <= length+1; i++ {
		possibleTurns := math.Min(float64(turns), i-1)
		for j := 1.0; j <= possibleTurns+1; j++ {
			possibilities += zxmath.NChoseK(i-1, j-1) * s * math.Pow(d, j)
		}
	}
	e := math.Log2(possibilities)
	if S := float64(shiftCount); S > 0 {
		possibilities = 0
		U := length - S
		for i := 0.0; i < math.Min(S, U)+1; i++ {
			possibilities += zxmath.NChoseK(S+U, i)
		}
		e += math.Log2(possibilities)
	}
	return e
}

// qwertyDegree is the qwerty layout's key count and average degree.
var qwertyDegree = sync.OnceValue(func() struct{ starts, degree float64 } {
	g := adjacency.GraphMap["qwerty"]
	return struct{ starts, degree float64 }{float64(len(g.Graph)), g.CalculateAvgDegree()}
})

// appendL33tMatches appends the dictionary matches of every l33t variant
// of pw (digits and symbols read as the letters they stand for), the
// variants made as the library makes them, each matched only over the
// ranges it changes.
func appendL33tMatches(out []match.Match, pw string, words *dictionary) []match.Match {
	changed := make([]bool, len(pw))
	for _, v := range l33tVariants(pw) {
		for i := range pw {
			changed[i] = v[i] != pw[i]
		}
		out = words.appendMatches(out, v, strings.ToLower(v), changed)
	}
	return out
}

// l33tVariants are the library's l33t permutations of pw: from the table's
// substitutions whose symbol occurs in pw, every way of reading each
// letter's symbols as one of them, a symbol that can stand for two
// letters ('1' for i or l) splitting the tables first; duplicates dropped.
func l33tVariants(pw string) []string {
	relevant := map[string][]string{}
	for letter, symbols := range adjacency.GraphMap["l33t"].Graph {
		for _, sym := range symbols {
			if strings.Contains(pw, sym) {
				relevant[letter] = append(relevant[letter], sym)
			}
		}
	}
	if len(relevant) == 0 {
		return nil
	}
	// The symbols that stand for more than one letter.
	owners := map[string]int{}
	for _, symbols := range relevant {
		for _, sym := range symbols {
			owners[sym]++
		}
	}
	tables := []map[string][]string{relevant}
	for sym, n := range owners {
		if n < 2 {
			continue
		}
		var split []map[string][]string
		for _, t := range tables {
			for letter, symbols := range t {
				if !containsString(symbols, sym) {
					continue
				}
				// sym stands for letter only in this table.
				nt := map[string][]string{}
				for l, ss := range t {
					for _, s := range ss {
						if s != sym || l == letter {
							nt[l] = append(nt[l], s)
						}
					}
				}
				split = append(split, nt)
			}
		}
		tables = split
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range tables {
		// Every choice of one symbol per letter.
		subs := []map[string]string{{}}
		for letter, symbols := range t {
			var next []map[string]string
			for _, m := range subs {
				for _, sym := range symbols {
					nm := make(map[string]string, len(m)+1)
					for k, v := range m {
						nm[k] = v
					}
					nm[letter] = sym
					next = append(next, nm)
				}
			}
			subs = next
		}
		for _, m := range subs {
			if len(m) == 0 {
				continue
			}
			v := pw
			for letter, sym := range m {
				v = strings.ReplaceAll(v, sym, letter)
			}
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
