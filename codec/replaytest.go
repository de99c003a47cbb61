package codec

// ReplayTestKeyID names the key of the workflow histories committed under
// workflows/testdata.
const ReplayTestKeyID = "TEST-ONLY-replay"

// replayTestSecret is public — it is right here in the source. It keeps
// the clear text of recorded histories out of grep, diffs and code search
// and lets anyone with the repository replay them without an
// installation's key; it protects nothing from a reader of the
// repository. ParseKeys and ParseKeyFile refuse its ID, so it cannot end
// up in a live key ring.
const replayTestSecret = "TEST-ONLY-kizdesk-replay-key-32b"

// ReplayTest is the codec of the recorded histories (TEST ONLY, see
// replayTestSecret): the replay test decrypts with it, and `kizdesk
// history` re-encrypts an exported history with it.
func ReplayTest() *Codec {
	c, err := New([]Key{{ID: ReplayTestKeyID, Secret: []byte(replayTestSecret)}})
	if err != nil {
		panic("codec: the replay test key is broken: " + err.Error())
	}
	return c
}
