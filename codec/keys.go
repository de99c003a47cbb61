package codec

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// ParseKeys reads keys in the form of one environment variable:
// comma-separated id:base64key entries, the current key first, e.g.
//
//	2026b:6Ck…=,2026a:q9x…=
//
// Errors never quote a secret.
func ParseKeys(s string) ([]Key, error) {
	var keys []Key
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		id, secret, ok := strings.Cut(entry, ":")
		if !ok {
			return nil, fmt.Errorf("entry %d is not id:base64key", i+1)
		}
		k, err := parseKey(strings.TrimSpace(id), strings.TrimSpace(secret))
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i+1, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// ParseKeyFile reads a key file: one "id base64key" a line, the current key
// first; empty lines and lines starting with # are skipped.
func ParseKeyFile(data []byte) ([]Key, error) {
	var keys []Key
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, fmt.Errorf("line %d is not \"id base64key\"", n)
		}
		k, err := parseKey(f[0], f[1])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return keys, nil
}

func parseKey(id, secret string) (Key, error) {
	if !keyIDPattern.MatchString(id) {
		return Key{}, fmt.Errorf("key ID %q: use 1 to 64 letters, digits, '.', '_' or '-'", id)
	}
	if id == ReplayTestKeyID {
		return Key{}, fmt.Errorf("key ID %q is the public test key of the recorded histories; never use it for live payloads", id)
	}
	b, err := base64.StdEncoding.DecodeString(secret)
	if err != nil {
		return Key{}, fmt.Errorf("key %q is not base64 (make one with `openssl rand -base64 32`)", id)
	}
	if len(b) != KeySize {
		return Key{}, fmt.Errorf("key %q has %d bytes, want %d (make one with `openssl rand -base64 32`)", id, len(b), KeySize)
	}
	return Key{ID: id, Secret: b}, nil
}

// NewKey makes a key with a random secret.
func NewKey(id string) (Key, error) {
	secret := make([]byte, KeySize)
	if _, err := rand.Read(secret); err != nil {
		return Key{}, fmt.Errorf("new payload key: %w", err)
	}
	return Key{ID: id, Secret: secret}, nil
}

// KeyFileLine is k as a line of a key file.
func KeyFileLine(k Key) string {
	return k.ID + " " + base64.StdEncoding.EncodeToString(k.Secret) + "\n"
}
