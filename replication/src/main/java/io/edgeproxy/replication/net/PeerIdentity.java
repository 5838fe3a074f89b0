package io.edgeproxy.replication.net;

import io.netty.handler.codec.quic.QuicChannel;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
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
      for (Rdn rdn : new LdapName(x509.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return rdn.getValue().toString();
        }
      }
      return null;
    } catch (SSLPeerUnverifiedException | javax.naming.InvalidNameException | RuntimeException e) {
      return null;
    }
  }
}
