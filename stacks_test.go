package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Tests of this package share embedded stacks: one per database kind (and
// per set of dynamic config), started by the first test that asks and
// stopped when all tests have run. Each test works on tickets of its own.
// Tests that take a part away (the worker, the database) or tamper with
// the database start a stack of their own with startTestStack.
var shared = struct {
	sync.Mutex
	stacks   map[string]*testStack
	cleanups []func()
}{stacks: map[string]*testStack{}}

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Lock()
	for i := len(shared.cleanups) - 1; i >= 0; i-- {
		shared.cleanups[i]()
	}
	shared.Unlock()
	os.Exit(code)
}

// sharedStack returns the package's stack of kind with the dynamic config
// overrides, starting it on first use.
func sharedStack(t testing.TB, kind string, dynamicConfig map[string]any) *testStack {
	t.Helper()
	key := kind + configKey(dynamicConfig)
	shared.Lock()
	defer shared.Unlock()
	if s, ok := shared.stacks[key]; ok {
		return s
	}
	s := startTestStackOn(&suiteTB{TB: t}, kind, dbURL(&suiteTB{TB: t}, kind), dynamicConfig)
	shared.stacks[key] = s
	return s
}

func configKey(c map[string]any) string {
	var parts []string
	for k, v := range c {
		parts = append(parts, fmt.Sprintf("%s=%v", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// suiteTB is the first asking test, except that what it would clean up
// when it ends is cleaned up when the package's tests end, and its
// temporary directories live as long.
type suiteTB struct {
	testing.TB
}

func (s *suiteTB) Cleanup(f func()) { shared.cleanups = append(shared.cleanups, f) }

func (s *suiteTB) TempDir() string {
	dir, err := os.MkdirTemp("", "kizdesk-test-")
	if err != nil {
		s.Fatal(err)
	}
	shared.cleanups = append(shared.cleanups, func() { os.RemoveAll(dir) })
	return dir
}
