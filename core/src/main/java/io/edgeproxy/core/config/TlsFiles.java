package io.edgeproxy.core.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/** A PEM certificate chain (leaf first) and its private key: EDGEPROXY_TLS_CERT and EDGEPROXY_TLS_KEY. */
public record TlsFiles(Path certificate, Path key) {
  public TlsFiles {
    requireNonNull(certificate, "certificate");
    requireNonNull(key, "key");
  }
}
