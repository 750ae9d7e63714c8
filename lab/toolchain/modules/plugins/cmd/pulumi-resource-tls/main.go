// pulumi-resource-tls for the lab: PrivateKey, SelfSignedCert, CertRequest and LocallySignedCert
// with the inputs, defaults, checks and outputs of pulumi-tls 5.x (every input change replaces, as
// upstream). The upstream provider (github.com/pulumi/pulumi-tls/provider/v5) is not served by the
// Go module proxy; see lab/toolchain/README.md.
package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/ssh"

	"hacluster.lab/toolchain/plugins/internal/standin"
)

var version = "5.6.1"

func replaceAll(string) bool { return true }

var keyUsages = map[string]x509.KeyUsage{
	"digital_signature": x509.KeyUsageDigitalSignature, "content_commitment": x509.KeyUsageContentCommitment,
	"key_encipherment": x509.KeyUsageKeyEncipherment, "data_encipherment": x509.KeyUsageDataEncipherment,
	"key_agreement": x509.KeyUsageKeyAgreement, "cert_signing": x509.KeyUsageCertSign,
	"crl_signing": x509.KeyUsageCRLSign, "encipher_only": x509.KeyUsageEncipherOnly,
	"decipher_only": x509.KeyUsageDecipherOnly,
}

var extKeyUsages = map[string]x509.ExtKeyUsage{
	"any_extended": x509.ExtKeyUsageAny, "server_auth": x509.ExtKeyUsageServerAuth,
	"client_auth": x509.ExtKeyUsageClientAuth, "code_signing": x509.ExtKeyUsageCodeSigning,
	"email_protection": x509.ExtKeyUsageEmailProtection, "ipsec_end_system": x509.ExtKeyUsageIPSECEndSystem,
	"ipsec_tunnel": x509.ExtKeyUsageIPSECTunnel, "ipsec_user": x509.ExtKeyUsageIPSECUser,
	"timestamping": x509.ExtKeyUsageTimeStamping, "ocsp_signing": x509.ExtKeyUsageOCSPSigning,
	"microsoft_server_gated_crypto": x509.ExtKeyUsageMicrosoftServerGatedCrypto,
	"netscape_server_gated_crypto":  x509.ExtKeyUsageNetscapeServerGatedCrypto,
	"microsoft_commercial_code_signing": x509.ExtKeyUsageMicrosoftCommercialCodeSigning,
	"microsoft_kernel_code_signing":     x509.ExtKeyUsageMicrosoftKernelCodeSigning,
}

func required(m resource.PropertyMap, f *standin.Failures, keys ...string) {
	for _, k := range keys {
		if !standin.Present(m, k) {
			f.Add(k, "Missing required argument %s", k)
		}
	}
}

// --- private keys ---

func parsePrivateKey(p string) (crypto.Signer, string, error) {
	block, _ := pem.Decode([]byte(p))
	if block == nil {
		return nil, "", errors.New("failed to decode PEM block containing the private key")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, "", fmt.Errorf("unsupported private key PEM type %q", block.Type)
	}
	if err != nil {
		return nil, "", err
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k, "RSA", nil
	case *ecdsa.PrivateKey:
		return k, "ECDSA", nil
	case ed25519.PrivateKey:
		return k, "ED25519", nil
	}
	return nil, "", fmt.Errorf("unsupported private key type %T", key)
}

func pemString(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

var privateKey = &standin.Type{
	Token:  "tls:index/privateKey:PrivateKey",
	Inputs: []string{"algorithm", "rsaBits", "ecdsaCurve"},
	Outputs: []string{"privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh", "publicKeyPem",
		"publicKeyOpenssh", "publicKeyFingerprintMd5", "publicKeyFingerprintSha256"},
	SecretOutputs:   []string{"privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"},
	ReplaceOnChange: replaceAll,
	Check: func(m resource.PropertyMap, f *standin.Failures) resource.PropertyMap {
		out := m.Copy()
		required(m, f, "algorithm")
		if a, ok := standin.String(m, "algorithm", f); ok && a != "RSA" && a != "ECDSA" && a != "ED25519" {
			f.Add("algorithm", "algorithm must be one of RSA, ECDSA, ED25519, got %q", a)
		}
		if bits, ok := standin.Int(m, "rsaBits", f); ok && bits < 1024 {
			f.Add("rsaBits", "rsaBits must be at least 1024, got %d", bits)
		}
		if c, ok := standin.String(m, "ecdsaCurve", f); ok && c != "P224" && c != "P256" && c != "P384" && c != "P521" {
			f.Add("ecdsaCurve", "ecdsaCurve must be one of P224, P256, P384, P521, got %q", c)
		}
		standin.Default(out, "rsaBits", resource.NewNumberProperty(2048))
		standin.Default(out, "ecdsaCurve", resource.NewStringProperty("P224"))
		return out
	},
	Create: func(_ context.Context, _ string, in resource.PropertyMap) (string, resource.PropertyMap, error) {
		var f standin.Failures
		alg, _ := standin.String(in, "algorithm", &f)
		var signer crypto.Signer
		var legacy string
		switch alg {
		case "RSA":
			bits, _ := standin.Int(in, "rsaBits", &f)
			k, err := rsa.GenerateKey(rand.Reader, bits)
			if err != nil {
				return "", nil, err
			}
			signer, legacy = k, pemString("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k))
		case "ECDSA":
			name, _ := standin.String(in, "ecdsaCurve", &f)
			curve := map[string]elliptic.Curve{"P224": elliptic.P224(), "P256": elliptic.P256(), "P384": elliptic.P384(), "P521": elliptic.P521()}[name]
			k, err := ecdsa.GenerateKey(curve, rand.Reader)
			if err != nil {
				return "", nil, err
			}
			der, err := x509.MarshalECPrivateKey(k)
			if err != nil {
				return "", nil, err
			}
			signer, legacy = k, pemString("EC PRIVATE KEY", der)
		case "ED25519":
			_, k, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				return "", nil, err
			}
			signer = k
		}
		pkcs8, err := x509.MarshalPKCS8PrivateKey(signer)
		if err != nil {
			return "", nil, err
		}
		if legacy == "" {
			legacy = pemString("PRIVATE KEY", pkcs8)
		}
		pubDER, err := x509.MarshalPKIXPublicKey(signer.Public())
		if err != nil {
			return "", nil, err
		}
		out := resource.PropertyMap{
			"privateKeyPem":      resource.NewStringProperty(legacy),
			"privateKeyPemPkcs8": resource.NewStringProperty(pemString("PRIVATE KEY", pkcs8)),
			"publicKeyPem":       resource.NewStringProperty(pemString("PUBLIC KEY", pubDER)),
		}
		// OpenSSH has no P224 keys: upstream leaves the OpenSSH fields empty then.
		openssh := map[string]string{"privateKeyOpenssh": "", "publicKeyOpenssh": "", "publicKeyFingerprintMd5": "", "publicKeyFingerprintSha256": ""}
		if sshPub, err := ssh.NewPublicKey(signer.Public()); err == nil {
			openssh["publicKeyOpenssh"] = string(ssh.MarshalAuthorizedKey(sshPub))
			openssh["publicKeyFingerprintMd5"] = ssh.FingerprintLegacyMD5(sshPub)
			openssh["publicKeyFingerprintSha256"] = ssh.FingerprintSHA256(sshPub)
			if blk, err := ssh.MarshalPrivateKey(signer, ""); err == nil {
				openssh["privateKeyOpenssh"] = string(pem.EncodeToMemory(blk))
			}
		}
		for k, v := range openssh {
			out[resource.PropertyKey(k)] = resource.NewStringProperty(v)
		}
		return fmt.Sprintf("%x", sha1.Sum(pubDER)), out, nil
	},
}

// --- certificates ---

func subjectOf(in resource.PropertyMap, f *standin.Failures) pkix.Name {
	var n pkix.Name
	s, ok := standin.Object(in, "subject", f)
	if !ok {
		return n
	}
	str := func(k string) string { v, _ := standin.String(s, k, f); return v }
	list := func(k string) []string {
		if v := str(k); v != "" {
			return []string{v}
		}
		return nil
	}
	n.CommonName = str("commonName")
	n.Organization = list("organization")
	n.OrganizationalUnit = list("organizationalUnit")
	n.StreetAddress = standin.Strings(s, "streetAddresses", f)
	n.Locality = list("locality")
	n.Province = list("province")
	n.Country = list("country")
	n.PostalCode = list("postalCode")
	n.SerialNumber = str("serialNumber")
	return n
}

var subjectFields = []string{"commonName", "organization", "organizationalUnit", "streetAddresses",
	"locality", "province", "country", "postalCode", "serialNumber", "emailAddress"}

func checkSubject(m resource.PropertyMap, f *standin.Failures) {
	s, ok := standin.Object(m, "subject", f)
	if !ok {
		return
	}
	for k := range s {
		found := false
		for _, known := range subjectFields {
			if string(k) == known {
				found = true
			}
		}
		if !found {
			f.Add("subject."+string(k), "%s is not a subject field", k)
		}
	}
}

func checkUses(m resource.PropertyMap, f *standin.Failures) {
	for _, u := range standin.Strings(m, "allowedUses", f) {
		_, ku := keyUsages[u]
		_, eku := extKeyUsages[u]
		if !ku && !eku {
			f.Add("allowedUses", "%q is not a known key usage", u)
		}
	}
}

func checkSANs(m resource.PropertyMap, f *standin.Failures) {
	for _, ip := range standin.Strings(m, "ipAddresses", f) {
		if net.ParseIP(ip) == nil {
			f.Add("ipAddresses", "%q is not an IP address", ip)
		}
	}
	standin.Strings(m, "dnsNames", f)
	for _, u := range standin.Strings(m, "uris", f) {
		if _, err := url.Parse(u); err != nil {
			f.Add("uris", "%q is not a URI: %v", u, err)
		}
	}
}

func sans(in resource.PropertyMap, t interface {
	add(dns []string, ips []net.IP, uris []*url.URL)
}) {
	var f standin.Failures
	var ips []net.IP
	for _, s := range standin.Strings(in, "ipAddresses", &f) {
		ips = append(ips, net.ParseIP(s))
	}
	var uris []*url.URL
	for _, s := range standin.Strings(in, "uris", &f) {
		u, _ := url.Parse(s)
		uris = append(uris, u)
	}
	t.add(standin.Strings(in, "dnsNames", &f), ips, uris)
}

type certTemplate struct{ *x509.Certificate }

func (c certTemplate) add(dns []string, ips []net.IP, uris []*url.URL) {
	c.DNSNames, c.IPAddresses, c.URIs = dns, ips, uris
}

type csrTemplate struct{ *x509.CertificateRequest }

func (c csrTemplate) add(dns []string, ips []net.IP, uris []*url.URL) {
	c.DNSNames, c.IPAddresses, c.URIs = dns, ips, uris
}

func checkValidity(m resource.PropertyMap, f *standin.Failures) resource.PropertyMap {
	out := m.Copy()
	if h, ok := standin.Int(m, "validityPeriodHours", f); ok && h < 0 {
		f.Add("validityPeriodHours", "validityPeriodHours must not be negative, got %d", h)
	}
	if h, ok := standin.Int(m, "earlyRenewalHours", f); ok && h < 0 {
		f.Add("earlyRenewalHours", "earlyRenewalHours must not be negative, got %d", h)
	}
	standin.Bool(m, "isCaCertificate", false, f)
	standin.Bool(m, "setSubjectKeyId", false, f)
	standin.Default(out, "earlyRenewalHours", resource.NewNumberProperty(0))
	standin.Default(out, "isCaCertificate", resource.NewBoolProperty(false))
	standin.Default(out, "setSubjectKeyId", resource.NewBoolProperty(false))
	return out
}

func newTemplate(in resource.PropertyMap) (*x509.Certificate, error) {
	var f standin.Failures
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	hours, _ := standin.Int(in, "validityPeriodHours", &f)
	now := time.Now().UTC().Truncate(time.Second)
	t := &x509.Certificate{
		SerialNumber:          serial,
		NotBefore:             now,
		NotAfter:              now.Add(time.Duration(hours) * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  standin.Bool(in, "isCaCertificate", false, &f),
	}
	for _, u := range standin.Strings(in, "allowedUses", &f) {
		if ku, ok := keyUsages[u]; ok {
			t.KeyUsage |= ku
		}
		if eku, ok := extKeyUsages[u]; ok {
			t.ExtKeyUsage = append(t.ExtKeyUsage, eku)
		}
	}
	return t, nil
}

func subjectKeyID(pub crypto.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil
	}
	sum := sha1.Sum(der)
	return sum[:]
}

func certOutputs(der []byte, t *x509.Certificate, algKey string, alg string) resource.PropertyMap {
	return resource.PropertyMap{
		"certPem":           resource.NewStringProperty(pemString("CERTIFICATE", der)),
		resource.PropertyKey(algKey): resource.NewStringProperty(alg),
		"validityStartTime": resource.NewStringProperty(t.NotBefore.Format(time.RFC3339)),
		"validityEndTime":   resource.NewStringProperty(t.NotAfter.Format(time.RFC3339)),
		"readyForRenewal":   resource.NewBoolProperty(false),
	}
}

func privateKeyInput(in resource.PropertyMap, key string) (crypto.Signer, string, error) {
	var f standin.Failures
	p, ok := standin.String(in, key, &f)
	if !ok {
		p, ok = standin.String(in, key+"Wo", &f)
	}
	if !ok {
		return nil, "", fmt.Errorf("%s is required", key)
	}
	return parsePrivateKey(p)
}

var selfSignedCert = &standin.Type{
	Token: "tls:index/selfSignedCert:SelfSignedCert",
	Inputs: []string{"privateKeyPem", "privateKeyPemWo", "privateKeyPemWoVersion", "allowedUses", "validityPeriodHours",
		"earlyRenewalHours", "isCaCertificate", "setSubjectKeyId", "setAuthorityKeyId", "subject", "dnsNames", "ipAddresses", "uris"},
	Outputs:         []string{"certPem", "keyAlgorithm", "validityStartTime", "validityEndTime", "readyForRenewal"},
	SecretOutputs:   []string{"privateKeyPem"},
	ReplaceOnChange: replaceAll,
	Check: func(m resource.PropertyMap, f *standin.Failures) resource.PropertyMap {
		required(m, f, "allowedUses", "validityPeriodHours")
		if !standin.Present(m, "privateKeyPem") && !standin.Present(m, "privateKeyPemWo") {
			f.Add("privateKeyPem", "one of privateKeyPem or privateKeyPemWo is required")
		}
		if p, ok := standin.String(m, "privateKeyPem", f); ok {
			if _, _, err := parsePrivateKey(p); err != nil {
				f.Add("privateKeyPem", "%v", err)
			}
		}
		checkUses(m, f)
		checkSANs(m, f)
		checkSubject(m, f)
		out := checkValidity(m, f)
		standin.Default(out, "setAuthorityKeyId", resource.NewBoolProperty(false))
		return out
	},
	Create: func(_ context.Context, _ string, in resource.PropertyMap) (string, resource.PropertyMap, error) {
		key, alg, err := privateKeyInput(in, "privateKeyPem")
		if err != nil {
			return "", nil, err
		}
		t, err := newTemplate(in)
		if err != nil {
			return "", nil, err
		}
		var f standin.Failures
		t.Subject = subjectOf(in, &f)
		sans(in, certTemplate{t})
		if standin.Bool(in, "setSubjectKeyId", false, &f) || t.IsCA {
			t.SubjectKeyId = subjectKeyID(key.Public())
		}
		der, err := x509.CreateCertificate(rand.Reader, t, t, key.Public(), key)
		if err != nil {
			return "", nil, err
		}
		return t.SerialNumber.String(), certOutputs(der, t, "keyAlgorithm", alg), nil
	},
}

var certRequest = &standin.Type{
	Token:           "tls:index/certRequest:CertRequest",
	Inputs:          []string{"privateKeyPem", "privateKeyPemWo", "privateKeyPemWoVersion", "subject", "dnsNames", "ipAddresses", "uris"},
	Outputs:         []string{"certRequestPem", "keyAlgorithm"},
	SecretOutputs:   []string{"privateKeyPem"},
	ReplaceOnChange: replaceAll,
	Check: func(m resource.PropertyMap, f *standin.Failures) resource.PropertyMap {
		if !standin.Present(m, "privateKeyPem") && !standin.Present(m, "privateKeyPemWo") {
			f.Add("privateKeyPem", "one of privateKeyPem or privateKeyPemWo is required")
		}
		if p, ok := standin.String(m, "privateKeyPem", f); ok {
			if _, _, err := parsePrivateKey(p); err != nil {
				f.Add("privateKeyPem", "%v", err)
			}
		}
		checkSANs(m, f)
		checkSubject(m, f)
		return m
	},
	Create: func(_ context.Context, _ string, in resource.PropertyMap) (string, resource.PropertyMap, error) {
		key, alg, err := privateKeyInput(in, "privateKeyPem")
		if err != nil {
			return "", nil, err
		}
		var f standin.Failures
		t := &x509.CertificateRequest{Subject: subjectOf(in, &f)}
		sans(in, csrTemplate{t})
		der, err := x509.CreateCertificateRequest(rand.Reader, t, key)
		if err != nil {
			return "", nil, err
		}
		csr := pemString("CERTIFICATE REQUEST", der)
		return fmt.Sprintf("%x", sha1.Sum(der)), resource.PropertyMap{
			"certRequestPem": resource.NewStringProperty(csr), "keyAlgorithm": resource.NewStringProperty(alg),
		}, nil
	},
}

var locallySignedCert = &standin.Type{
	Token: "tls:index/locallySignedCert:LocallySignedCert",
	Inputs: []string{"certRequestPem", "caPrivateKeyPem", "caPrivateKeyPemWo", "caPrivateKeyPemWoVersion", "caCertPem",
		"validityPeriodHours", "earlyRenewalHours", "allowedUses", "isCaCertificate", "setSubjectKeyId"},
	Outputs:         []string{"certPem", "caKeyAlgorithm", "validityStartTime", "validityEndTime", "readyForRenewal"},
	SecretOutputs:   []string{"caPrivateKeyPem"},
	ReplaceOnChange: replaceAll,
	Check: func(m resource.PropertyMap, f *standin.Failures) resource.PropertyMap {
		required(m, f, "certRequestPem", "caCertPem", "validityPeriodHours", "allowedUses")
		if !standin.Present(m, "caPrivateKeyPem") && !standin.Present(m, "caPrivateKeyPemWo") {
			f.Add("caPrivateKeyPem", "one of caPrivateKeyPem or caPrivateKeyPemWo is required")
		}
		checkUses(m, f)
		return checkValidity(m, f)
	},
	Create: func(_ context.Context, _ string, in resource.PropertyMap) (string, resource.PropertyMap, error) {
		var f standin.Failures
		caKey, alg, err := privateKeyInput(in, "caPrivateKeyPem")
		if err != nil {
			return "", nil, err
		}
		caPem, _ := standin.String(in, "caCertPem", &f)
		block, _ := pem.Decode([]byte(caPem))
		if block == nil {
			return "", nil, errors.New("caCertPem: no PEM certificate")
		}
		ca, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return "", nil, fmt.Errorf("caCertPem: %w", err)
		}
		csrPem, _ := standin.String(in, "certRequestPem", &f)
		block, _ = pem.Decode([]byte(csrPem))
		if block == nil {
			return "", nil, errors.New("certRequestPem: no PEM certificate request")
		}
		csr, err := x509.ParseCertificateRequest(block.Bytes)
		if err != nil {
			return "", nil, fmt.Errorf("certRequestPem: %w", err)
		}
		if err := csr.CheckSignature(); err != nil {
			return "", nil, fmt.Errorf("certRequestPem: %w", err)
		}
		t, err := newTemplate(in)
		if err != nil {
			return "", nil, err
		}
		t.Subject = csr.Subject
		t.DNSNames, t.IPAddresses, t.URIs = csr.DNSNames, csr.IPAddresses, csr.URIs
		if standin.Bool(in, "setSubjectKeyId", false, &f) {
			t.SubjectKeyId = subjectKeyID(csr.PublicKey)
		}
		der, err := x509.CreateCertificate(rand.Reader, t, ca, csr.PublicKey, caKey)
		if err != nil {
			return "", nil, err
		}
		return t.SerialNumber.String(), certOutputs(der, t, "caKeyAlgorithm", alg), nil
	},
}

func main() {
	standin.Serve("tls", version, privateKey, selfSignedCert, certRequest, locallySignedCert)
}
