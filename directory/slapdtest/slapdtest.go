// Package slapdtest runs a private OpenLDAP (Debian's slapd) with a small
// kiz directory for tests: the directory package's own and every test that
// logs in with a kiz account. It skips a test where slapd is missing, but
// fails it under KIZDESK_TEST_STRICT=1 (CI).
package slapdtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// The test directory: a private OpenLDAP (Debian's slapd) started per test
// run with its own slapd.conf under t.TempDir(), so nothing depends on, or
// touches, a system slapd.

const (
	slapdBin   = "/usr/sbin/slapd"
	slapaddBin = "/usr/sbin/slapadd" // part of the slapd package

	Suffix          = "dc=uni-ulm,dc=example"
	People          = "ou=people," + Suffix
	Groups          = "ou=groups," + Suffix
	ServiceDN       = "cn=kizdesk,ou=services," + Suffix
	ServicePassword = "kizdesk-service-pw"
	// Disabled accounts carry employeeType=disabled; this is how the test
	// directory (and the recommended production setting) excludes them.
	UserFilter = "(&(objectClass=inetOrgPerson)(!(employeeType=disabled)))"
)

// Passwords of the test accounts.
var Passwords = map[string]string{
	"mmuster":  "Muster-pw-1",
	"hhelp":    "Hülsmann pw 2", // non-ASCII in a password, too
	"mmail":    "mail-pw-3",
	"alt":      "alt-pw-4",
	"amueller": "a-pw", "bmueller": "b-pw", "cmueller": "c-pw",
}

const dirLDIF = `dn: dc=uni-ulm,dc=example
objectClass: dcObject
objectClass: organization
dc: uni-ulm
o: Universität Ulm

dn: ou=people,dc=uni-ulm,dc=example
objectClass: organizationalUnit
ou: people

dn: ou=groups,dc=uni-ulm,dc=example
objectClass: organizationalUnit
ou: groups

dn: ou=services,dc=uni-ulm,dc=example
objectClass: organizationalUnit
ou: services

dn: cn=kizdesk,ou=services,dc=uni-ulm,dc=example
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: kizdesk
userPassword: kizdesk-service-pw

# a customer
dn: uid=mmuster,ou=people,dc=uni-ulm,dc=example
objectClass: inetOrgPerson
uid: mmuster
cn: Max Mustermann
sn: Mustermann
mail: max.mustermann@uni-ulm.example
telephoneNumber: +49 731 50-12345
ou: Institut für Biochemie
employeeType: customer
userPassword: Muster-pw-1

# a 1st-level agent
dn: uid=hhelp,ou=people,dc=uni-ulm,dc=example
objectClass: inetOrgPerson
uid: hhelp
cn: Hanna Hülsmann
sn: Hülsmann
mail: hanna.huelsmann@uni-ulm.example
telephoneNumber: +49 731 50-22222
ou: kiz Servicedesk
employeeType: staff
userPassword: Hülsmann pw 2

# a 2nd-level agent (mail)
dn: uid=mmail,ou=people,dc=uni-ulm,dc=example
objectClass: inetOrgPerson
uid: mmail
cn: Jörg Mählmann
sn: Mählmann
mail: joerg.maehlmann@uni-ulm.example
telephoneNumber: +49 731 50-33333
ou: kiz Kommunikation
employeeType: staff
userPassword: mail-pw-3

# a disabled account: right password, still no login
dn: uid=alt,ou=people,dc=uni-ulm,dc=example
objectClass: inetOrgPerson
uid: alt
cn: Alfred Altmann
sn: Altmann
mail: alfred.altmann@uni-ulm.example
employeeType: disabled
userPassword: alt-pw-4

dn: uid=amueller,ou=people,dc=uni-ulm,dc=example
objectClass: inetOrgPerson
uid: amueller
cn: Anna Müller
sn: Müller
mail: anna.mueller@uni-ulm.example
userPassword: a-pw

dn: uid=bmueller,ou=people,dc=uni-ulm,dc=example
objectClass: inetOrgPerson
uid: bmueller
cn: Bernd Müller
sn: Müller
mail: bernd.mueller@uni-ulm.example
userPassword: b-pw

dn: uid=cmueller,ou=people,dc=uni-ulm,dc=example
objectClass: inetOrgPerson
uid: cmueller
cn: Clara Müller
sn: Müller
mail: clara.mueller@uni-ulm.example
userPassword: c-pw

dn: cn=kiz-helpdesk,ou=groups,dc=uni-ulm,dc=example
objectClass: groupOfNames
cn: kiz-helpdesk
member: uid=hhelp,ou=people,dc=uni-ulm,dc=example
member: uid=mmail,ou=people,dc=uni-ulm,dc=example

dn: cn=kiz-mail,ou=groups,dc=uni-ulm,dc=example
objectClass: groupOfNames
cn: kiz-mail
member: uid=mmail,ou=people,dc=uni-ulm,dc=example

# membership by login (posixGroup, memberUid) as some directories do it
dn: cn=kiz-rufbereitschaft,ou=groups,dc=uni-ulm,dc=example
objectClass: posixGroup
cn: kiz-rufbereitschaft
gidNumber: 5001
memberUid: hhelp

dn: cn=kiz-alt,ou=groups,dc=uni-ulm,dc=example
objectClass: groupOfNames
cn: kiz-alt
member: uid=alt,ou=people,dc=uni-ulm,dc=example
`

// Passwords are never readable; everything else is, for anonymous clients
// too, so that both the service-account and the anonymous setup are tested.
const slapdConf = `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile {dir}/slapd.pid
argsfile {dir}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCACertificateFile {dir}/ca.pem
TLSCertificateFile {dir}/server.pem
TLSCertificateKeyFile {dir}/server.key

database mdb
maxsize 16777216
suffix "dc=uni-ulm,dc=example"
rootdn "cn=admin,dc=uni-ulm,dc=example"
rootpw admin-pw
directory {dir}/db
index objectClass eq
index uid,cn,mail eq,sub
access to attrs=userPassword
	by anonymous auth
	by * none
access to *
	by * read
`

type Server struct {
	LDAPURL, LDAPSURL string
	CAFile            string // the CA that signed slapd's certificate
	WrongCAFile       string // another CA
}

// Require skips the test where slapd is not installed, but fails it
// under KIZDESK_TEST_STRICT=1 (CI), so a missing install cannot pass as green.
func Require(t *testing.T) {
	t.Helper()
	for _, p := range []string{slapdBin, slapaddBin} {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("KIZDESK_TEST_STRICT") == "1" {
				t.Fatalf("%s missing (apt-get install slapd): %v", p, err)
			}
			t.Skip("slapd not installed (apt-get install slapd)")
		}
	}
}

// Start loads the test directory and runs slapd on two free loopback
// ports (ldap:// with StartTLS, ldaps://) until the test ends.
func Start(t *testing.T) *Server {
	t.Helper()
	Require(t)
	dir := t.TempDir()
	s := &Server{CAFile: filepath.Join(dir, "ca.pem"), WrongCAFile: filepath.Join(dir, "wrong-ca.pem")}
	writeTestPKI(t, dir)

	conf := filepath.Join(dir, "slapd.conf")
	must(t, os.WriteFile(conf, []byte(strings.ReplaceAll(slapdConf, "{dir}", dir)), 0o600))
	must(t, os.Mkdir(filepath.Join(dir, "db"), 0o700))
	ldif := filepath.Join(dir, "data.ldif")
	must(t, os.WriteFile(ldif, []byte(dirLDIF), 0o600))
	if out, err := exec.Command(slapaddBin, "-f", conf, "-l", ldif).CombinedOutput(); err != nil {
		t.Fatalf("slapadd: %v\n%s", err, out)
	}

	port, tlsPort := FreePort(t), FreePort(t)
	s.LDAPURL = fmt.Sprintf("ldap://127.0.0.1:%d", port)
	s.LDAPSURL = fmt.Sprintf("ldaps://127.0.0.1:%d", tlsPort)
	logf, err := os.Create(filepath.Join(dir, "slapd.log"))
	must(t, err)
	defer logf.Close()
	// -d 0 keeps slapd in the foreground (ours to kill) without debug
	// output; it still prints why it refuses to start.
	cmd := exec.Command(slapdBin, "-f", conf, "-h", s.LDAPURL+"/ "+s.LDAPSURL+"/", "-d", "0")
	cmd.Stdout, cmd.Stderr = logf, logf
	must(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	slapdLog := func() string { b, _ := os.ReadFile(logf.Name()); return string(b) }

	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("slapd exited: %v\n%s", err, slapdLog())
		default:
		}
		c, err := ldap.DialURL(s.LDAPURL, ldap.DialWithDialer(&net.Dialer{Timeout: time.Second}))
		if err == nil {
			c.SetTimeout(time.Second)
			err = c.Bind(ServiceDN, ServicePassword)
			c.Close()
			if err == nil {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("slapd does not answer on %s after 10s: %v\n%s", s.LDAPURL, err, slapdLog())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// FreePort returns a loopback port that was free a moment ago; nothing
// listens on it afterwards, so it also serves as a closed port.
func FreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// writeTestPKI writes ca.pem, server.pem, server.key (127.0.0.1 and
// localhost) and an unrelated wrong-ca.pem into dir.
func writeTestPKI(t *testing.T, dir string) {
	t.Helper()
	now := time.Now()
	ca, caKey := newCA(t, "kizdesk test CA", now)
	wrong, _ := newCA(t, "some other CA", now)

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	must(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	must(t, err)

	writePEM(t, filepath.Join(dir, "ca.pem"), "CERTIFICATE", ca.Raw)
	writePEM(t, filepath.Join(dir, "wrong-ca.pem"), "CERTIFICATE", wrong.Raw)
	writePEM(t, filepath.Join(dir, "server.pem"), "CERTIFICATE", der)
	writePEM(t, filepath.Join(dir, "server.key"), "PRIVATE KEY", keyDER)
}

func newCA(t *testing.T, name string, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	cert, err := x509.ParseCertificate(der)
	must(t, err)
	return cert, key
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	must(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
