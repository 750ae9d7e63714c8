// pulumi-resource-random for the lab: RandomString, RandomPassword and RandomBytes with the inputs,
// defaults, checks and outputs of pulumi-random 4.x (every input change replaces, as upstream).
// The upstream provider (github.com/pulumi/pulumi-random/provider/v4) is not served by the Go
// module proxy; see lab/toolchain/README.md.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"math/big"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/bcrypt"

	"hacluster.lab/toolchain/plugins/internal/standin"
)

var version = "4.21.2"

const (
	lowerChars   = "abcdefghijklmnopqrstuvwxyz"
	upperChars   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	numericChars = "0123456789"
	specialChars = "!@#$%&*()-_=+[]{}<>:?"
)

var stringInputs = []string{"length", "keepers", "lower", "upper", "numeric", "number", "special",
	"minLower", "minUpper", "minNumeric", "minSpecial", "overrideSpecial"}

func checkString(m resource.PropertyMap, f *standin.Failures) resource.PropertyMap {
	out := m.Copy()
	length, lengthKnown := standin.Int(m, "length", f)
	if !standin.Present(m, "length") {
		f.Add("length", "Missing required argument length")
	} else if lengthKnown && length < 1 {
		f.Add("length", "length must be at least 1, got %d", length)
	}
	for _, k := range []string{"lower", "upper", "numeric", "special"} {
		standin.Bool(m, k, true, f)
		standin.Default(out, k, resource.NewBoolProperty(true))
	}
	// `number` is the deprecated twin of `numeric`: upstream keeps them equal.
	if v, ok := standin.Plain(m, "numeric"); ok {
		standin.Default(out, "number", v)
	} else {
		standin.Default(out, "number", resource.NewBoolProperty(true))
	}
	sum := 0
	for _, k := range []string{"minLower", "minUpper", "minNumeric", "minSpecial"} {
		n, ok := standin.Int(m, k, f)
		if ok && n < 0 {
			f.Add(k, "%s must not be negative, got %d", k, n)
		}
		sum += n
		standin.Default(out, k, resource.NewNumberProperty(0))
	}
	if lengthKnown && sum > length {
		f.Add("length", "length (%d) must be at least the sum of the min_* values (%d)", length, sum)
	}
	standin.String(m, "overrideSpecial", f)
	return out
}

func pick(charset string) byte {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(charset))))
	if err != nil {
		panic(err)
	}
	return charset[n.Int64()]
}

func generate(m resource.PropertyMap) (string, error) {
	var f standin.Failures
	length, _ := standin.Int(m, "length", &f)
	special := specialChars
	if s, ok := standin.String(m, "overrideSpecial", &f); ok {
		special = s
	}
	sets := []struct {
		key, chars string
		min        string
	}{
		{"lower", lowerChars, "minLower"}, {"upper", upperChars, "minUpper"},
		{"numeric", numericChars, "minNumeric"}, {"special", special, "minSpecial"},
	}
	var all string
	var out []byte
	for _, s := range sets {
		if !standin.Bool(m, s.key, true, &f) || s.chars == "" {
			continue
		}
		all += s.chars
		n, _ := standin.Int(m, s.min, &f)
		for i := 0; i < n; i++ {
			out = append(out, pick(s.chars))
		}
	}
	if all == "" {
		all = lowerChars + upperChars + numericChars
	}
	for len(out) < length {
		out = append(out, pick(all))
	}
	// Shuffle so the minimum characters are not at the front.
	for i := len(out) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return string(out), nil
}

func replaceAll(string) bool { return true }

func main() {
	randomString := &standin.Type{
		Token:           "random:index/randomString:RandomString",
		Inputs:          stringInputs,
		Outputs:         []string{"result"},
		Check:           checkString,
		ReplaceOnChange: replaceAll,
		Create: func(_ context.Context, _ string, in resource.PropertyMap) (string, resource.PropertyMap, error) {
			s, err := generate(in)
			if err != nil {
				return "", nil, err
			}
			return s, resource.PropertyMap{"result": resource.NewStringProperty(s)}, nil
		},
	}
	randomPassword := &standin.Type{
		Token:           "random:index/randomPassword:RandomPassword",
		Inputs:          stringInputs,
		Outputs:         []string{"result", "bcryptHash"},
		SecretOutputs:   []string{"result", "bcryptHash"},
		Check:           checkString,
		ReplaceOnChange: replaceAll,
		Create: func(_ context.Context, _ string, in resource.PropertyMap) (string, resource.PropertyMap, error) {
			s, err := generate(in)
			if err != nil {
				return "", nil, err
			}
			hash, err := bcrypt.GenerateFromPassword([]byte(s), bcrypt.DefaultCost)
			if err != nil {
				return "", nil, err
			}
			return "none", resource.PropertyMap{
				"result": resource.NewStringProperty(s), "bcryptHash": resource.NewStringProperty(string(hash)),
			}, nil
		},
	}
	randomBytes := &standin.Type{
		Token:         "random:index/randomBytes:RandomBytes",
		Inputs:        []string{"length", "keepers"},
		Outputs:       []string{"base64", "hex"},
		SecretOutputs: []string{"base64", "hex"},
		Check: func(m resource.PropertyMap, f *standin.Failures) resource.PropertyMap {
			n, ok := standin.Int(m, "length", f)
			if !standin.Present(m, "length") {
				f.Add("length", "Missing required argument length")
			} else if ok && n < 1 {
				f.Add("length", "length must be at least 1, got %d", n)
			}
			return m
		},
		ReplaceOnChange: replaceAll,
		Create: func(_ context.Context, _ string, in resource.PropertyMap) (string, resource.PropertyMap, error) {
			var f standin.Failures
			n, _ := standin.Int(in, "length", &f)
			b := make([]byte, n)
			if _, err := rand.Read(b); err != nil {
				return "", nil, err
			}
			b64 := base64.StdEncoding.EncodeToString(b)
			return b64, resource.PropertyMap{
				"base64": resource.NewStringProperty(b64), "hex": resource.NewStringProperty(hex.EncodeToString(b)),
			}, nil
		},
	}
	standin.Serve("random", version, randomString, randomPassword, randomBytes)
}
