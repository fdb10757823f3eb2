// Package password decides whether a new password is acceptable and explains
// why not, in the words of a checklist the user sees while typing.
//
// The directory is the final authority, but a refusal from it arrives after
// a round trip, as one opaque "constraint violation", at the last step of a
// reset the user started on their phone. Evaluating the same rules first -
// the directory's own policy, resetbot's stricter floor, the name rule AD
// applies, a breached-password list and an estimate of guessing resistance -
// turns that dead end into a list of ticks. The length, complexity and name
// rules are also exported for the browser (Rules.ClientJSON) so most of the
// checklist updates instantly without sending keystrokes anywhere.
package password
