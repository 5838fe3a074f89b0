package io.edgeproxy.replication.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The cluster's private PKI, as files in one directory: {@code ca.crt} and {@code ca.key} (the
 * cluster CA), {@code <node-id>.crt} and {@code <node-id>.key} per node (the node id is the
 * certificate's common name and its DNS subject alternative name, which peers verify), and
 * {@code cluster.key} (the gossip key). Keys are EC P-256, written PKCS#8 with owner-only
 * permissions. {@code edgeproxy certs init} creates them; nodes load theirs at start-up.
 */
public final class ClusterPki {
  public static final String CA_CERT = "ca.crt";
  public static final String CA_KEY = "ca.key";
  public static final String CLUSTER_KEY = "cluster.key";
  private static final Duration CA_LIFETIME = Duration.ofDays(3650);
  private static final Duration NODE_LIFETIME = Duration.ofDays(825);
  private static final SecureRandom RANDOM = new SecureRandom();

  private ClusterPki() {}

  /** A certificate with its key. */
  public record Identity(X509Certificate certificate, PrivateKey key) {}

  /**
   * Creates a CA (unless {@code dir} already has one), a certificate for each node that has none,
   * and a gossip key (unless present). Returns the files written.
   */
  public static List<Path> init(Path dir, String clusterName, List<String> nodeIds) {
    try {
      Files.createDirectories(dir);
      List<Path> written = new java.util.ArrayList<>();
      Identity ca;
      if (Files.exists(dir.resolve(CA_CERT))) {
        ca = load(dir.resolve(CA_CERT), dir.resolve(CA_KEY));
      } else {
        ca = newCa(clusterName);
        writePem(dir.resolve(CA_CERT), ca.certificate(), false);
        writePem(dir.resolve(CA_KEY), ca.key(), true);
        written.add(dir.resolve(CA_CERT));
        written.add(dir.resolve(CA_KEY));
      }
      for (String node : nodeIds) {
        if (Files.exists(dir.resolve(node + ".crt"))) {
          continue;
        }
        Identity id = issue(ca, node);
        writePem(dir.resolve(node + ".crt"), id.certificate(), false);
        writePem(dir.resolve(node + ".key"), id.key(), true);
        written.add(dir.resolve(node + ".crt"));
        written.add(dir.resolve(node + ".key"));
      }
      if (!Files.exists(dir.resolve(CLUSTER_KEY))) {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        writeSecret(dir.resolve(CLUSTER_KEY), Base64.getEncoder().encodeToString(key) + "\n");
        written.add(dir.resolve(CLUSTER_KEY));
      }
      return written;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the cluster PKI in " + dir + ": " + e.getMessage(), e);
    }
  }

  public static Identity newCa(String clusterName) {
    KeyPair keys = keyPair();
    X500Name name = new X500Name("CN=edgeproxy cluster CA " + clusterName);
    try {
      X509v3CertificateBuilder builder = builder(name, name, keys, CA_LIFETIME)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
      return new Identity(sign(builder, keys.getPrivate()), keys.getPrivate());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot create the cluster CA", e);
    }
  }

  /** A node certificate for {@code nodeId}, signed by {@code ca}: usable as TLS server and client. */
  public static Identity issue(Identity ca, String nodeId) {
    KeyPair keys = keyPair();
    try {
      X500Name issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
      X509v3CertificateBuilder builder = builder(issuer, new X500Name("CN=" + nodeId), keys, NODE_LIFETIME)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, nodeId)))
          .addExtension(Extension.authorityKeyIdentifier, false,
              new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.certificate()));
      return new Identity(sign(builder, ca.key()), keys.getPrivate());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot issue a certificate for " + nodeId, e);
    }
  }

  /**
   * A self-signed server certificate for {@code names} (DNS names, or IP literals as IP addresses),
   * made in memory: its key is never written anywhere. Valid for {@code lifetime}.
   */
  public static Identity selfSigned(List<String> names, Duration lifetime) {
    KeyPair keys = keyPair();
    X500Name subject = new X500Name("CN=" + names.getFirst());
    GeneralName[] alternatives = names.stream()
        .map(n -> new GeneralName(io.edgeproxy.core.geo.IpAddresses.parseLiteral(n).isPresent() ? GeneralName.iPAddress : GeneralName.dNSName, n))
        .toArray(GeneralName[]::new);
    try {
      X509v3CertificateBuilder builder = builder(subject, subject, keys, lifetime)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives));
      return new Identity(sign(builder, keys.getPrivate()), keys.getPrivate());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a self-signed certificate for " + names, e);
    }
  }

  /** The node id a node certificate names: its common name, which the cluster CA signed; null when it has none. */
  public static @org.jspecify.annotations.Nullable String nodeIdOf(X509Certificate certificate) {
    try {
      for (javax.naming.ldap.Rdn rdn : new javax.naming.ldap.LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return rdn.getValue().toString();
        }
      }
    } catch (javax.naming.InvalidNameException e) {
      // no readable name: no node id
    }
    return null;
  }

  /** Loads a certificate and its key from PEM files. */
  public static Identity load(Path certificate, Path key) {
    return new Identity(loadCertificate(certificate), loadKey(key));
  }

  /** The first certificate of a PEM file. */
  public static X509Certificate loadCertificate(Path file) {
    return loadChain(file).getFirst();
  }

  /** Every certificate of a PEM file, in order (a chain: leaf first). */
  public static List<X509Certificate> loadChain(Path file) {
    try (Reader reader = Files.newBufferedReader(file)) {
      return readChain(reader, file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read certificate " + file + ": " + e.getMessage(), e);
    }
  }

  /** Every certificate of PEM text, in order; {@code what} names its source in errors. */
  public static List<X509Certificate> parseChain(String text, String what) {
    return readChain(new java.io.StringReader(text), what);
  }

  private static List<X509Certificate> readChain(Reader reader, String file) {
    try (PEMParser pem = new PEMParser(reader)) {
      List<X509Certificate> chain = new java.util.ArrayList<>();
      var converter = new JcaX509CertificateConverter();
      for (Object object = pem.readObject(); object != null; object = pem.readObject()) {
        if (object instanceof X509CertificateHolder holder) {
          chain.add(converter.getCertificate(holder));
        }
      }
      if (chain.isEmpty()) {
        throw new IllegalArgumentException(file + " does not hold a PEM certificate (expected: -----BEGIN CERTIFICATE-----)");
      }
      return chain;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read certificate " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * A PEM private key: PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1
   * ({@code EC PRIVATE KEY}); an encrypted key is refused, naming the file.
   */
  public static PrivateKey loadKey(Path file) {
    try (Reader reader = Files.newBufferedReader(file)) {
      return readKey(reader, file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read private key " + file + ": " + e.getMessage(), e);
    }
  }

  /** A private key from PEM text (as {@link #loadKey}); {@code what} names its source in errors. */
  public static PrivateKey parseKey(String text, String what) {
    return readKey(new java.io.StringReader(text), what);
  }

  private static PrivateKey readKey(Reader reader, String file) {
    try (PEMParser pem = new PEMParser(reader)) {
      var converter = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter();
      for (Object object = pem.readObject(); object != null; object = pem.readObject()) {
        if (object instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (object instanceof org.bouncycastle.openssl.PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
        if (object instanceof org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo
            || object instanceof org.bouncycastle.openssl.PEMEncryptedKeyPair) {
          throw new IllegalArgumentException(file + " holds an encrypted private key; give it unencrypted, readable only"
              + " by the agent's user (chmod 600)");
        }
      }
      throw new IllegalArgumentException(file + " does not hold a PEM private key (expected: -----BEGIN PRIVATE KEY-----,"
          + " or an RSA or EC private key)");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read private key " + file + ": " + e.getMessage(), e);
    }
  }


  /** The PEM text of a certificate, or of a private key in PKCS#8. */
  public static String pem(Object object) {
    if (object instanceof PrivateKey key) {
      return "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
    }
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys, Duration lifetime) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM).add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(lifetime)), subject, keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey) throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 is not available in this JDK", e);
    }
  }

  private static void writePem(Path file, Object object, boolean secret) throws IOException {
    if (secret) {
      writeSecret(file, pem(object));
    } else {
      Files.writeString(file, pem(object));
    }
  }

  private static void writeSecret(Path file, String text) throws IOException {
    Files.deleteIfExists(file);
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    Files.writeString(file, text);
  }
}
