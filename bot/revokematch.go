package bot

import "strings"

// RevokedApp is how a FactorRevoker names the authenticator app among
// what it removed, and how the revoke job notes it before removing.
const RevokedApp = "authenticator app"

// revokeMatches is what RevokeFactors(name) would remove from d, names as
// enrolled: the passkeys whose name matches (case-insensitive, spaces
// made single), or for RevokeAll every passkey and the authenticator
// app. The revoke job notes it in the flow before removing anything.
func revokeMatches(d FactorDetails, name string) []string {
	all := strings.EqualFold(name, RevokeAll)
	var out []string
	for _, p := range d.Passkeys {
		if all || strings.EqualFold(strings.Join(strings.Fields(p.Name), " "), strings.Join(strings.Fields(name), " ")) {
			out = append(out, p.Name)
		}
	}
	if all && d.TOTP {
		out = append(out, RevokedApp)
	}
	return out
}

// goneSince is what an interrupted removal took: of noted (what matched
// before the first attempt), each entry neither removed by this attempt
// nor still enrolled (still), counted as a multiset since two passkeys
// may share a name.
func goneSince(noted, removed, still []string) []string {
	left := map[string]int{}
	for _, s := range removed {
		left[s]++
	}
	for _, s := range still {
		left[s]++
	}
	var gone []string
	for _, s := range noted {
		if left[s] > 0 {
			left[s]--
			continue
		}
		gone = append(gone, s)
	}
	return gone
}
