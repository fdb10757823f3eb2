package flows

import (
	"os"
	"sort"
	"strings"
	"testing"
)

// TestDiagramMatchesTable keeps state.mermaid, the committed picture of the
// state machine, identical to the transition table the code enforces.
func TestDiagramMatchesTable(t *testing.T) {
	raw, err := os.ReadFile("state.mermaid")
	if err != nil {
		t.Fatal(err)
	}
	var drawn []string
	terminalDrawn := map[State]bool{}
	for _, line := range strings.Split(string(raw), "\n") {
		from, to, ok := strings.Cut(strings.TrimSpace(line), " --> ")
		if !ok {
			continue
		}
		switch {
		case from == "[*]":
			if to != string(StateIssued) {
				t.Errorf("diagram starts at %q, want %q", to, StateIssued)
			}
		case to == "[*]":
			terminalDrawn[State(from)] = true
		default:
			drawn = append(drawn, from+" -> "+to)
		}
	}
	var table []string
	for from, tos := range transitions {
		for _, to := range tos {
			table = append(table, string(from)+" -> "+string(to))
		}
		if from.Terminal() != terminalDrawn[from] {
			t.Errorf("state %q: terminal in code %v, drawn as terminal %v", from, from.Terminal(), terminalDrawn[from])
		}
	}
	sort.Strings(drawn)
	sort.Strings(table)
	if strings.Join(drawn, "\n") != strings.Join(table, "\n") {
		t.Errorf("state.mermaid and transitions differ\ndrawn:\n%s\n\ntable:\n%s", strings.Join(drawn, "\n"), strings.Join(table, "\n"))
	}
}

func TestTerminalStatesHaveNoExits(t *testing.T) {
	for s, tos := range transitions {
		if s.Terminal() && len(tos) > 0 {
			t.Errorf("terminal state %q has exits %v", s, tos)
		}
		if !s.Terminal() && len(tos) == 0 {
			t.Errorf("state %q has no exits but is not terminal", s)
		}
	}
}
