package io.edgeproxy.tools.tls;

import io.edgeproxy.core.edge.HostNames;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** The DNS names a certificate is valid for: its subjectAltName DNS entries, else its subject's CN (normalized). */
final class CertificateNames {
  private CertificateNames() {}

  static List<String> of(X509Certificate certificate) {
    List<String> out = new ArrayList<>();
    try {
      Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> entry : alternatives) {
          if (entry.size() >= 2 && Integer.valueOf(2).equals(entry.get(0)) && entry.get(1) instanceof String dns) {
            HostNames.normalize(dns).ifPresent(out::add);
          }
        }
      }
    } catch (CertificateParsingException e) {
      // no usable SAN: fall back to the CN
    }
    if (out.isEmpty()) {
      try {
        for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
          if (rdn.getType().equalsIgnoreCase("CN") && rdn.getValue() instanceof String cn) {
            HostNames.normalize(cn).ifPresent(out::add);
          }
        }
      } catch (InvalidNameException e) {
        // no names at all
      }
    }
    return out;
  }
}
