package standin

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Plain returns a property with secret and output wrappers removed; ok is false when the value is
// absent, null or not yet known (a preview's unknowns pass every check).
func Plain(m resource.PropertyMap, key string) (resource.PropertyValue, bool) {
	v, has := m[resource.PropertyKey(key)]
	if !has {
		return v, false
	}
	for {
		switch {
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput():
			o := v.OutputValue()
			if !o.Known {
				return v, false
			}
			v = o.Element
		default:
			if v.IsNull() || v.ContainsUnknowns() {
				return v, false
			}
			return v, true
		}
	}
}

// Unknown tells whether the key holds a value that is not known yet.
func Unknown(m resource.PropertyMap, key string) bool {
	v, has := m[resource.PropertyKey(key)]
	return has && v.ContainsUnknowns()
}

// Present tells whether the key holds anything (known or not).
func Present(m resource.PropertyMap, key string) bool {
	v, has := m[resource.PropertyKey(key)]
	return has && !v.IsNull()
}

func String(m resource.PropertyMap, key string, f *Failures) (string, bool) {
	v, ok := Plain(m, key)
	if !ok {
		return "", false
	}
	if !v.IsString() {
		f.Add(key, "%s must be a string, got %s", key, v.TypeString())
		return "", false
	}
	return v.StringValue(), true
}

func Bool(m resource.PropertyMap, key string, def bool, f *Failures) bool {
	v, ok := Plain(m, key)
	if !ok {
		return def
	}
	if !v.IsBool() {
		f.Add(key, "%s must be a boolean, got %s", key, v.TypeString())
		return def
	}
	return v.BoolValue()
}

// Int reads a whole number; ok is false when absent or unknown.
func Int(m resource.PropertyMap, key string, f *Failures) (int, bool) {
	v, ok := Plain(m, key)
	if !ok {
		return 0, false
	}
	if !v.IsNumber() || v.NumberValue() != float64(int64(v.NumberValue())) {
		f.Add(key, "%s must be a whole number, got %v", key, v)
		return 0, false
	}
	return int(v.NumberValue()), true
}

// Strings reads a list of strings, skipping unknown elements.
func Strings(m resource.PropertyMap, key string, f *Failures) []string {
	v, ok := Plain(m, key)
	if !ok {
		return nil
	}
	if !v.IsArray() {
		f.Add(key, "%s must be a list of strings, got %s", key, v.TypeString())
		return nil
	}
	var out []string
	for i, e := range v.ArrayValue() {
		for e.IsSecret() {
			e = e.SecretValue().Element
		}
		if e.ContainsUnknowns() {
			continue
		}
		if !e.IsString() {
			f.Add(key, "%s[%d] must be a string, got %s", key, i, e.TypeString())
			continue
		}
		out = append(out, e.StringValue())
	}
	return out
}

// Object reads a nested object (with its secret/unknown wrappers removed from the object itself).
func Object(m resource.PropertyMap, key string, f *Failures) (resource.PropertyMap, bool) {
	v, ok := Plain(m, key)
	if !ok {
		// An object holding some unknown fields is still an object: look inside it.
		raw, has := m[resource.PropertyKey(key)]
		for has && raw.IsSecret() {
			raw = raw.SecretValue().Element
		}
		if has && raw.IsObject() {
			return raw.ObjectValue(), true
		}
		return nil, false
	}
	if !v.IsObject() {
		f.Add(key, "%s must be an object, got %s", key, v.TypeString())
		return nil, false
	}
	return v.ObjectValue(), true
}

// Default sets key to def when it is absent.
func Default(m resource.PropertyMap, key string, def resource.PropertyValue) {
	if v, has := m[resource.PropertyKey(key)]; !has || v.IsNull() {
		m[resource.PropertyKey(key)] = def
	}
}
