package io.edgeproxy.tools.wireguard;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.geo.IpAddresses;
import io.edgeproxy.core.geo.IpNetwork;
import io.edgeproxy.replication.tls.ClusterPki;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * What a POP tells the others about its end of the mesh, signed by its node certificate's key so
 * that every POP can check it against the cluster CA: a row of {@code wireguard_peers} is worth
 * nothing by itself (any peer can write any replicated row, and gossip is sealed only with the
 * shared cluster key). The text, one field per line, is what is signed and stored:
 *
 * <pre>
 * edgeproxy-wireguard 1
 * node pop-1
 * public-key &lt;32 bytes in base64&gt;
 * endpoint 203.0.113.7:51820
 * address 10.50.0.1/16
 * subnets 10.50.1.0/24,fdaa:0:1:5::/64
 * issued-ms 1765000000000
 * certificate &lt;the node certificate, DER in base64&gt;
 * signature &lt;SHA256withECDSA over every line above, newlines included, in base64&gt;
 * </pre>
 *
 * @param endpoint host:port (or [v6]:port) other POPs send to: the advertise host and the listen port
 * @param address the POP's overlay address with the overlay's prefix
 */
public record WgAnnouncement(String node, String publicKey, String endpoint, String address, List<IpNetwork> subnets,
    long issuedMs) {
  static final String HEADER = "edgeproxy-wireguard 1";
  /** Larger rows are refused unread: a certificate and a few hundred subnets fit well below. */
  static final int MAX_CHARS = 32_768;
  private static final List<String> FIELDS =
      List.of("node", "public-key", "endpoint", "address", "subnets", "issued-ms", "certificate", "signature");

  public WgAnnouncement {
    requireNonNull(node, "node");
    requireNonNull(publicKey, "publicKey");
    requireNonNull(endpoint, "endpoint");
    requireNonNull(address, "address");
    subnets = List.copyOf(subnets);
  }

  /** The overlay address alone, as a host route ({@code 10.50.0.1/32}): what the peer answers for besides its subnets. */
  public String hostRoute() {
    String ip = address.substring(0, address.indexOf('/'));
    return ip + (ip.contains(":") ? "/128" : "/32");
  }

  /** This announcement signed with {@code key}, the private key of {@code certificate}: the row's text. */
  public String sign(X509Certificate certificate, PrivateKey key) {
    try {
      String body = HEADER + "\n" + "node " + node + "\n" + "public-key " + publicKey + "\n" + "endpoint " + endpoint + "\n"
          + "address " + address + "\n" + "subnets " + String.join(",", subnets.stream().map(IpNetwork::toString).toList()) + "\n"
          + "issued-ms " + issuedMs + "\n" + "certificate " + Base64.getEncoder().encodeToString(certificate.getEncoded()) + "\n";
      Signature signer = Signature.getInstance(algorithm(key.getAlgorithm()));
      signer.initSign(key);
      signer.update(body.getBytes(StandardCharsets.UTF_8));
      return body + "signature " + Base64.getEncoder().encodeToString(signer.sign()) + "\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign the WireGuard announcement: " + e.getMessage(), e);
    }
  }

  /** The {@code issued-ms} line of {@code text}, read without any check; 0 when there is none. */
  static long issuedMsOf(String text) {
    for (String line : text.split("\n")) {
      if (line.startsWith("issued-ms ")) {
        try {
          return Long.parseLong(line.substring("issued-ms ".length()));
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  /** What a row holds: an announcement that checked out, or why it did not. */
  public sealed interface Checked {}

  public record Valid(WgAnnouncement announcement) implements Checked {}

  public record Invalid(String reason) implements Checked {}

  /**
   * Reads and checks the row of {@code rowNode}: well formed, its certificate issued by {@code ca}
   * for that node and valid at {@code nowMs}, the signature made by that certificate's key.
   */
  public static Checked check(String rowNode, String text, X509Certificate ca, long nowMs) {
    if (text.length() > MAX_CHARS) {
      return new Invalid("the announcement has " + text.length() + " characters (expected: at most " + MAX_CHARS + ")");
    }
    String[] lines = text.split("\n", -1);
    if (lines.length != FIELDS.size() + 2 || !lines[0].equals(HEADER) || !lines[lines.length - 1].isEmpty()) {
      return new Invalid("not an announcement (expected: \"" + HEADER + "\" and the lines " + String.join(", ", FIELDS)
          + ", each ending with a newline)");
    }
    String[] values = new String[FIELDS.size()];
    for (int i = 0; i < FIELDS.size(); i++) {
      String prefix = FIELDS.get(i) + " ";
      if (!lines[i + 1].startsWith(prefix)) {
        return new Invalid("line " + (i + 2) + " is not the field " + FIELDS.get(i));
      }
      values[i] = lines[i + 1].substring(prefix.length());
    }
    if (!values[0].equals(rowNode)) {
      return new Invalid("it names node " + values[0] + " in the row of " + rowNode);
    }
    X509Certificate cert;
    try {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(values[6])));
      cert.verify(ca.getPublicKey());
      cert.checkValidity(new Date(nowMs));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return new Invalid("its certificate is not one of this cluster's CA, valid now (" + e.getMessage() + ")");
    }
    if (!rowNode.equals(commonName(cert))) {
      return new Invalid("its certificate is for " + commonName(cert) + ", not " + rowNode);
    }
    try {
      Signature verifier = Signature.getInstance(algorithm(cert.getPublicKey().getAlgorithm()));
      verifier.initVerify(cert.getPublicKey());
      verifier.update(text.substring(0, text.lastIndexOf("signature ")).getBytes(StandardCharsets.UTF_8));
      if (!verifier.verify(Base64.getDecoder().decode(values[7]))) {
        return new Invalid("its signature does not match its content");
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return new Invalid("its signature cannot be checked (" + e.getMessage() + ")");
    }
    return parseFields(values);
  }

  private static Checked parseFields(String[] v) {
    if (!WgKey.isPublicKey(v[1])) {
      return new Invalid("public-key is not a WireGuard key (expected: 32 bytes in base64)");
    }
    if (!v[2].matches("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]{1,253}):[0-9]{1,5}")
        || Integer.parseInt(v[2].substring(v[2].lastIndexOf(':') + 1)) > 65535) {
      return new Invalid("endpoint \"" + v[2] + "\" is not host:port");
    }
    int slash = v[3].indexOf('/');
    if (IpNetwork.parse(v[3]).isEmpty() || IpAddresses.parseLiteral(v[3].substring(0, slash)).isEmpty()) {
      return new Invalid("address \"" + v[3] + "\" is not an address with a prefix");
    }
    List<IpNetwork> subnets = new ArrayList<>();
    for (String part : v[4].isEmpty() ? new String[0] : v[4].split(",")) {
      IpNetwork net = IpNetwork.parse(part).orElse(null);
      if (net == null) {
        return new Invalid("subnets has a bad entry \"" + part + "\"");
      }
      subnets.add(net);
    }
    long issued;
    try {
      issued = Long.parseLong(v[5]);
    } catch (NumberFormatException e) {
      return new Invalid("issued-ms is not a number");
    }
    return new Valid(new WgAnnouncement(v[0], v[1], v[2], v[3], subnets, issued));
  }

  private static String algorithm(String keyAlgorithm) {
    return switch (keyAlgorithm) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      default -> keyAlgorithm; // Ed25519 and friends sign without a separate digest
    };
  }

  private static String commonName(X509Certificate cert) {
    String name = ClusterPki.nodeIdOf(cert);
    return name == null ? "(no common name)" : name;
  }
}
