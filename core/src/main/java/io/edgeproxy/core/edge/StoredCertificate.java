package io.edgeproxy.core.edge;

import static java.util.Objects.requireNonNull;

/**
 * One row of table {@code certificates} whose shape is right; whether the chain parses and the
 * key unseals and matches is checked where the key is unsealed, and a row that fails is skipped
 * there with a warning naming it.
 *
 * @param hostname the name or {@code *.} wildcard it is served for, lower-case
 * @param chainPem PEM certificates, leaf first
 * @param keySealed the private key, sealed ({@code v1:...}); never the key in clear
 * @param notAfterMs the leaf's expiry as written by whoever stored it (0: unknown)
 * @param source {@code operator}, {@code acme}, or what a hand-written row says
 */
public record StoredCertificate(String hostname, String chainPem, String keySealed, long notAfterMs, String source) {
  public StoredCertificate {
    requireNonNull(hostname, "hostname");
    requireNonNull(chainPem, "chainPem");
    requireNonNull(keySealed, "keySealed");
    requireNonNull(source, "source");
  }
}
