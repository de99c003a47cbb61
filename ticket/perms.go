package ticket

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Perm is one of OTRS's permissions of a group on its queues, which kiz
// staff know: ro (see the queue and read its tickets), move_into (move
// tickets into it), create (open tickets in it), note (add notes), owner
// (own and lock tickets), priority (change the priority), rw (everything).
type Perm string

const (
	PermRO       Perm = "ro"
	PermMoveInto Perm = "move_into"
	PermCreate   Perm = "create"
	PermNote     Perm = "note"
	PermOwner    Perm = "owner"
	PermPriority Perm = "priority"
	PermRW       Perm = "rw"
)

// Perms lists the permissions in the order admin pages show them.
var Perms = []Perm{PermRO, PermMoveInto, PermCreate, PermNote, PermOwner, PermPriority, PermRW}

// Valid tells whether p is one of Perms.
func (p Perm) Valid() bool { return p.bit() != 0 }

func (p Perm) bit() PermSet {
	for i, q := range Perms {
		if p == q {
			return 1 << i
		}
	}
	return 0
}

// PermSet is a set of permissions on one queue. rw holds every other
// permission, as in OTRS.
type PermSet uint8

// PermsOf returns the set of the named permissions; unknown names are
// left out.
func PermsOf(ps ...Perm) PermSet {
	var s PermSet
	for _, p := range ps {
		s |= p.bit()
	}
	return s
}

// AllPerms is rw and everything it holds.
var AllPerms = PermsOf(Perms...)

// Has tells whether the set grants p.
func (s PermSet) Has(p Perm) bool {
	b := p.bit()
	return b != 0 && (s&b != 0 || s&PermRW.bit() != 0)
}

// Add returns the set with p.
func (s PermSet) Add(p Perm) PermSet { return s | p.bit() }

// List names the permissions in the set.
func (s PermSet) List() []Perm {
	var out []Perm
	for _, p := range Perms {
		if s&p.bit() != 0 {
			out = append(out, p)
		}
	}
	return out
}

func (s PermSet) String() string {
	parts := make([]string, 0, len(Perms))
	for _, p := range s.List() {
		parts = append(parts, string(p))
	}
	return strings.Join(parts, ",")
}

// MarshalJSON writes the set as names, so a history in the Temporal UI
// says what an agent was allowed.
func (s PermSet) MarshalJSON() ([]byte, error) {
	l := s.List()
	if l == nil {
		l = []Perm{}
	}
	return json.Marshal(l)
}

// UnmarshalJSON reads the names MarshalJSON wrote.
func (s *PermSet) UnmarshalJSON(b []byte) error {
	var names []Perm
	if err := json.Unmarshal(b, &names); err != nil {
		return err
	}
	*s = 0
	for _, p := range names {
		if !p.Valid() {
			return fmt.Errorf("unknown permission %q", p)
		}
		*s = s.Add(p)
	}
	return nil
}

// Grant is what the desk found an agent may do on the ticket's queue when
// it sent the action. The ticket's process checks it against the
// permission the action needs and against the queue the ticket is in when
// the action arrives: a ticket moved away in between is not changed on
// the strength of the old queue's permissions.
type Grant struct {
	Queue int64
	Perms PermSet
	// MoveInto are the queues the agent may move the ticket into, sent
	// with the actions that move it (move, escalate, hand back).
	MoveInto []int64 `json:",omitempty"`
}
