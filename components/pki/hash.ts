/**
 * kubeadm's discovery hash (pure): `sha256:` + hex SHA-256 of the CA's DER SubjectPublicKeyInfo,
 * the same as `openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | sha256sum`.
 */
import { createHash, createPublicKey, X509Certificate } from "node:crypto";

/** Accepts a CA certificate PEM, or the CA's public key PEM (same SubjectPublicKeyInfo). */
export function discoveryHash(pem: string): string {
    const key = pem.includes("BEGIN CERTIFICATE") ? new X509Certificate(pem).publicKey : createPublicKey(pem);
    const der = key.export({ type: "spki", format: "der" });
    return `sha256:${createHash("sha256").update(der).digest("hex")}`;
}
