package io.edgeproxy.replication.net;

import io.edgeproxy.replication.tls.ClusterPki;
import io.netty.handler.codec.quic.QuicChannel;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.jspecify.annotations.Nullable;

/** The node id a peer proved with its certificate: the common name, which the cluster CA signed. */
final class PeerIdentity {
  private PeerIdentity() {}

  static @Nullable String of(QuicChannel connection) {
    try {
      Certificate[] chain = connection.sslEngine().getSession().getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate x509)) {
        return null;
      }
      return ClusterPki.nodeIdOf(x509);
    } catch (SSLPeerUnverifiedException | RuntimeException e) {
      return null;
    }
  }
}
