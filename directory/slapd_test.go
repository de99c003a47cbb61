package directory

import (
	"testing"

	"github.com/kiz-ulm/kizdesk/directory/slapdtest"
)

// The test directory lives in slapdtest, which other packages' tests use
// too; these are its names as this package's tests know them.
const (
	testPeople     = slapdtest.People
	testGroups     = slapdtest.Groups
	serviceDN      = slapdtest.ServiceDN
	servicePass    = slapdtest.ServicePassword
	testUserFilter = slapdtest.UserFilter
)

var testPasswords = slapdtest.Passwords

type testSlapd struct {
	ldapURL, ldapsURL string
	caFile            string // the CA that signed slapd's certificate
	wrongCAFile       string // another CA
}

func startSlapd(t *testing.T) *testSlapd {
	s := slapdtest.Start(t)
	return &testSlapd{ldapURL: s.LDAPURL, ldapsURL: s.LDAPSURL, caFile: s.CAFile, wrongCAFile: s.WrongCAFile}
}

func freePort(t *testing.T) int { return slapdtest.FreePort(t) }
