// An independent check of AIP's audit-v1 vectors with Go's golang.org/x/mod/sumdb/note (signed notes) and
// golang.org/x/mod/sumdb/tlog (RFC 6962/9162 proofs), written from the C2SP specs, not from AIP's code.
//
// Build without the network, from Debian's golang-go and golang-golang-x-mod-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run note_check.go FILE.json
//
// FILE has the shape of audit.json (only "notes", "inclusion" and "consistency" are read). It prints one JSON
// object: for each note {"result":"valid","verified":[names]} or {"result":"reject","error":"..."}, and for each
// proof "ok" or the error.
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type input struct {
	Notes []struct {
		Note  string   `json:"note"`
		Vkeys []string `json:"vkeys"`
	} `json:"notes"`
	Inclusion []struct {
		Index    int64    `json:"index"`
		Size     int64    `json:"size"`
		LeafHash string   `json:"leaf_hash"`
		Proof    []string `json:"proof"`
		Root     string   `json:"root"`
	} `json:"inclusion"`
	Consistency []struct {
		M     int64    `json:"m"`
		N     int64    `json:"n"`
		Proof []string `json:"proof"`
		RootM string   `json:"root_m"`
		RootN string   `json:"root_n"`
	} `json:"consistency"`
	Entries []string `json:"entries"`
}

// cosigVerifier checks c2sp.org/tlog-cosignature v1 (signature type 0x04): 8-byte big-endian timestamp, then an
// Ed25519 signature over "cosignature/v1\ntime <t>\n" || note text. The note package has no such type built in.
type cosigVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func (v *cosigVerifier) Name() string    { return v.name }
func (v *cosigVerifier) KeyHash() uint32 { return v.hash }
func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	if t > 1<<63-1 {
		return false
	}
	m := append([]byte("cosignature/v1\ntime "+strconv.FormatUint(t, 10)+"\n"), msg...)
	return ed25519.Verify(v.key, m, sig[8:])
}

func verifier(vkey string) (note.Verifier, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) == 3 {
		raw, err := base64.StdEncoding.DecodeString(parts[2])
		if err == nil && len(raw) == 33 && raw[0] == 0x04 {
			h := sha256.Sum256(append([]byte(parts[0]+"\n"), raw...))
			id := binary.BigEndian.Uint32(h[:4])
			if fmt.Sprintf("%08x", id) != parts[1] {
				return nil, fmt.Errorf("cosignature key ID mismatch")
			}
			return &cosigVerifier{parts[0], id, ed25519.PublicKey(raw[1:])}, nil
		}
	}
	return note.NewVerifier(vkey)
}

func hash(s string) tlog.Hash {
	var h tlog.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		panic("bad hash " + s)
	}
	copy(h[:], b)
	return h
}

func hashes(ss []string) []tlog.Hash {
	out := make([]tlog.Hash, len(ss))
	for i, s := range ss {
		out[i] = hash(s)
	}
	return out
}

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var in input
	if err := json.Unmarshal(data, &in); err != nil {
		panic(err)
	}
	out := map[string]interface{}{}
	var notes []map[string]interface{}
	for _, n := range in.Notes {
		var vs []note.Verifier
		for _, k := range n.Vkeys {
			v, err := verifier(k)
			if err != nil {
				panic(fmt.Sprintf("vkey %s: %v", k, err))
			}
			vs = append(vs, v)
		}
		opened, err := note.Open([]byte(n.Note), note.VerifierList(vs...))
		if err != nil {
			notes = append(notes, map[string]interface{}{"result": "reject", "error": fmt.Sprintf("%T", err)})
			continue
		}
		names := []string{}
		for _, s := range opened.Sigs {
			names = append(names, s.Name)
		}
		notes = append(notes, map[string]interface{}{"result": "valid", "verified": names})
	}
	out["notes"] = notes
	var incl []string
	for _, p := range in.Inclusion {
		if err := tlog.CheckRecord(hashes(p.Proof), p.Size, hash(p.Root), p.Index, hash(p.LeafHash)); err != nil {
			incl = append(incl, err.Error())
		} else {
			incl = append(incl, "ok")
		}
	}
	out["inclusion"] = incl
	var cons []string
	for _, p := range in.Consistency {
		if err := tlog.CheckTree(hashes(p.Proof), p.N, hash(p.RootN), p.M, hash(p.RootM)); err != nil {
			cons = append(cons, err.Error())
		} else {
			cons = append(cons, "ok")
		}
	}
	out["consistency"] = cons
	var leaves []string
	for _, e := range in.Entries {
		b, _ := hex.DecodeString(e)
		h := tlog.RecordHash(b)
		leaves = append(leaves, hex.EncodeToString(h[:]))
	}
	out["leaf_hashes"] = leaves
	enc, _ := json.Marshal(out)
	fmt.Println(string(enc))
}
