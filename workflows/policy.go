package workflows

import (
	"fmt"
	"slices"
	"time"
)

// This file is the kiz-wide ticket process as a process owner reads it:
// which states exist, which moves between them are allowed, and how long a
// closed ticket still takes follow-ups. Change it here; see the README's
// "How to change the ITIL process" before changing it for tickets in flight.

// ProcessVersion names the process as this code runs it. Raise it with
// every change to the lifecycle: histories recorded for the replay test are
// named after it, so those of earlier versions stay and keep being checked.
const ProcessVersion = "v1"

// State is a ticket state; the names are the OTRS ones kiz staff know.
type State string

const (
	StateNew                State = "new"
	StateOpen               State = "open"
	StateClosedSuccessful   State = "closed successful"
	StateClosedUnsuccessful State = "closed unsuccessful"
)

// transitions lists, for each state, the states a ticket may move to.
var transitions = map[State][]State{
	StateNew:                {StateOpen, StateClosedSuccessful, StateClosedUnsuccessful},
	StateOpen:               {StateClosedSuccessful, StateClosedUnsuccessful},
	StateClosedSuccessful:   {},
	StateClosedUnsuccessful: {},
}

// Valid tells whether s is a known state.
func (s State) Valid() bool {
	_, ok := transitions[s]
	return ok
}

// Closed tells whether s ends the work on a ticket.
func (s State) Closed() bool {
	return s == StateClosedSuccessful || s == StateClosedUnsuccessful
}

// CanMoveTo tells whether the process allows moving from s to next.
func (s State) CanMoveTo(next State) bool {
	return slices.Contains(transitions[s], next)
}

// checkMove returns a message an agent understands when s may not move to next.
func (s State) checkMove(next State) error {
	if !next.Valid() {
		return fmt.Errorf("%q is not a ticket state", next)
	}
	if !s.CanMoveTo(next) {
		return fmt.Errorf("a ticket in state %q cannot be set to %q", s, next)
	}
	return nil
}

// OpenStates are the states in which a ticket is still being worked on;
// queue views show tickets in these states.
func OpenStates() []State {
	return []State{StateNew, StateOpen}
}

// Level is the support level a ticket sits at.
type Level string

const (
	LevelFirst  Level = "1st level"
	LevelSecond Level = "2nd level"
	LevelTeam   Level = "team"
)

// ArticleKind says what an article is and who may see it.
type ArticleKind string

const (
	ArticleInternalNote ArticleKind = "internal note"
	ArticlePhoneNote    ArticleKind = "phone note"
)

// Valid tells whether k is a known article kind.
func (k ArticleKind) Valid() bool {
	return k == ArticleInternalNote || k == ArticlePhoneNote
}

// CustomerVisible tells whether the customer sees articles of kind k: a
// phone note records what was said with the customer, an internal note is
// for agents only.
func (k ArticleKind) CustomerVisible() bool {
	return k == ArticlePhoneNote
}

// FollowUpWindow is how long a closed ticket's workflow stays alive to take
// follow-ups; after it, the workflow completes and the ticket lives on in
// the database.
const FollowUpWindow = 7 * 24 * time.Hour

// MaxArticleLength bounds an article's text; longer text is refused, not cut.
const MaxArticleLength = 100_000
