package fleet

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
)

// Stamp says what a series' outputs were made from: the SHA-256 of the
// input file's bytes and of the settings that shaped them. Outputs whose
// stamp matches a new run's are that run's outputs already.
type Stamp struct {
	Input    string `json:"input_sha256"`
	Settings string `json:"settings_sha256"`
}

// NewStamp stamps outputs made from input with settings, any value that
// marshals to JSON (its JSON is what is hashed, so field order is fixed by
// its type).
func NewStamp(input []byte, settings any) (Stamp, error) {
	js, err := json.Marshal(settings)
	if err != nil {
		return Stamp{}, fmt.Errorf("cannot fingerprint the settings: %w", err)
	}
	return Stamp{Input: hexSum(input), Settings: hexSum(js)}, nil
}

func hexSum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ReadStamp returns the stamp stored under "stamp" in the JSON object in
// the file at path. A file that is missing, is not such an object or has
// no stamp is an error.
func ReadStamp(path string) (Stamp, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Stamp{}, err
	}
	var v struct {
		Stamp *Stamp `json:"stamp"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return Stamp{}, fmt.Errorf("%s: %w", path, err)
	}
	if v.Stamp == nil {
		return Stamp{}, fmt.Errorf("%s: no stamp", path)
	}
	return *v.Stamp, nil
}
