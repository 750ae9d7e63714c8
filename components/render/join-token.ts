/**
 * The join token's lifetime, written once: kubeadm init creates the token with it, and the
 * control planes' hourly refresh timer (node.ts) re-creates the token's Secret with the same
 * lifetime, so a node added at any time finds a valid token while no token lives forever.
 */

/** Hours a join token stays valid after `kubeadm init` or a refresh (the refresh runs hourly). */
export const JOIN_TOKEN_TTL_HOURS = 2;

/** {@link JOIN_TOKEN_TTL_HOURS} as kubeadm writes a duration (`bootstrapTokens[].ttl`). */
export const JOIN_TOKEN_TTL = `${JOIN_TOKEN_TTL_HOURS}h0m0s`;
