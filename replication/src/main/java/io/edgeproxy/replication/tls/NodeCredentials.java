package io.edgeproxy.replication.tls;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.ClientAuth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * What a node proves itself with and trusts: its certificate and key, the cluster CA, and the
 * gossip key. Loaded once at start-up from EDGEPROXY_REPLICATION_TLS_DIR.
 */
public record NodeCredentials(ClusterPki.Identity identity, X509Certificate ca, byte[] clusterKey) {
  /** ALPN protocol of the change-stream; a client speaking anything else is refused in the handshake. */
  public static final String ALPN = "edgeproxy-changes/1";
  /** ALPN of connections that relay client connections to a device tunnel another POP holds (same mutual TLS). */
  public static final String RELAY_ALPN = "edgeproxy-relay/1";

  public NodeCredentials {
    requireNonNull(identity, "identity");
    requireNonNull(ca, "ca");
    clusterKey = clusterKey.clone();
  }

  /**
   * Loads {@code ca.crt}, {@code <nodeId>.crt}, {@code <nodeId>.key} from {@code dir}, and the gossip
   * key from {@code clusterKeyBase64} or else {@code dir/cluster.key}.
   *
   * @throws IllegalArgumentException naming the missing or unreadable file
   */
  public static NodeCredentials load(Path dir, String nodeId, @Nullable String clusterKeyBase64) {
    for (String name : new String[] {ClusterPki.CA_CERT, nodeId + ".crt", nodeId + ".key"}) {
      if (!Files.isRegularFile(dir.resolve(name))) {
        throw new IllegalArgumentException(dir.resolve(name) + " is missing (expected: files made by"
            + " 'edgeproxy certs init --dir " + dir + " --nodes " + nodeId + "')");
      }
    }
    byte[] key = clusterKey(dir, clusterKeyBase64);
    X509Certificate ca = ClusterPki.loadCertificate(dir.resolve(ClusterPki.CA_CERT));
    ClusterPki.Identity identity = ClusterPki.load(dir.resolve(nodeId + ".crt"), dir.resolve(nodeId + ".key"));
    try {
      identity.certificate().verify(ca.getPublicKey());
    } catch (Exception e) {
      throw new IllegalArgumentException(dir.resolve(nodeId + ".crt") + " is not signed by " + dir.resolve(ClusterPki.CA_CERT));
    }
    return new NodeCredentials(identity, ca, key);
  }

  /**
   * The cluster key: {@code clusterKeyBase64}, or else {@code dir/cluster.key}. It seals gossip and
   * the private keys of certificates kept in routing.db.
   *
   * @throws IllegalArgumentException when there is none, or it is not 32 bytes or more in base64
   */
  public static byte[] clusterKey(Path dir, @Nullable String clusterKeyBase64) {
    String keyText = clusterKeyBase64;
    if (keyText == null) {
      Path file = dir.resolve(ClusterPki.CLUSTER_KEY);
      try {
        keyText = Files.readString(file).trim();
      } catch (IOException e) {
        throw new IllegalArgumentException("no gossip key: EDGEPROXY_REPLICATION_CLUSTER_KEY is empty and " + file
            + " cannot be read (" + e.getMessage() + ")");
      }
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(keyText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the gossip key is not base64 (expected: 32 bytes in base64)");
    }
    if (key.length < 32) {
      throw new IllegalArgumentException("the gossip key has " + key.length + " bytes (expected: at least 32)");
    }
    return key;
  }

  /** Server side of the change-stream: our certificate, and a client certificate from the cluster CA required. */
  public QuicSslContext serverContext() {
    return QuicSslContextBuilder.forServer(new io.edgeproxy.core.tls.SingleKeyManager(identity.key(), identity.certificate()), null)
        .trustManager(ca)
        .clientAuth(ClientAuth.REQUIRE)
        .applicationProtocols(ALPN, RELAY_ALPN)
        .build();
  }

  /** Client side: our certificate, and the server's checked against the cluster CA and its node id. */
  public QuicSslContext clientContext() {
    return clientContext(ALPN);
  }

  /** As {@link #clientContext()}, for relay connections ({@link #RELAY_ALPN}). */
  public QuicSslContext relayClientContext() {
    return clientContext(RELAY_ALPN);
  }

  private QuicSslContext clientContext(String alpn) {
    return QuicSslContextBuilder.forClient()
        .keyManager(new io.edgeproxy.core.tls.SingleKeyManager(identity.key(), identity.certificate()), null)
        .trustManager(ca)
        .applicationProtocols(alpn)
        .build();
  }

  @Override
  public byte[] clusterKey() {
    return clusterKey.clone();
  }

  @Override
  public String toString() {
    return "NodeCredentials[" + identity.certificate().getSubjectX500Principal() + ", clusterKey=<redacted>]";
  }
}
