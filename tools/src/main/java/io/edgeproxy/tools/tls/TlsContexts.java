package io.edgeproxy.tools.tls;

import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.core.tls.SingleKeyManager;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The TLS every server of this POP speaks: TLS 1.3 and 1.2 only, Mozilla's "intermediate" cipher
 * suites for 1.2 (ECDHE with AES-GCM or ChaCha20-Poly1305); the JDK's provider, or OpenSSL where
 * the HTTPS edge asks for it.
 */
public final class TlsContexts {
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
  public static final List<String> CIPHERS = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private static final org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(TlsContexts.class);
  private static final java.time.Duration SELF_SIGNED_LIFETIME = java.time.Duration.ofDays(825);

  private TlsContexts() {}

  /** A private key and its certificate chain, leaf first. */
  public record Served(PrivateKey key, List<X509Certificate> chain) {}

  /**
   * The operator's chain and key ({@code files}: EDGEPROXY_TLS_CERT/_KEY), or else a self-signed
   * certificate for {@code names} made now, its key only in memory, logged for {@code what} with
   * the pin curl takes.
   *
   * @throws IllegalArgumentException naming the file that cannot be read
   */
  public static Served served(io.edgeproxy.core.config.@org.jspecify.annotations.Nullable TlsFiles files, List<String> names,
      String what) {
    if (files != null) {
      return new Served(io.edgeproxy.replication.tls.ClusterPki.loadKey(files.key()),
          io.edgeproxy.replication.tls.ClusterPki.loadChain(files.certificate()));
    }
    var identity = io.edgeproxy.replication.tls.ClusterPki.selfSigned(names, SELF_SIGNED_LIFETIME);
    logger.info("{}: self-signed certificate for {} (set EDGEPROXY_TLS_CERT/_KEY to serve your own); pin it with curl"
        + " --pinnedpubkey {}", what, names, pin(identity.certificate()));
    return new Served(identity.key(), List.of(identity.certificate()));
  }

  /** A server context for {@code chain} (leaf first) and its key, with the JDK's TLS. */
  public static SslContext server(PrivateKey key, List<X509Certificate> chain) throws SSLException {
    return server(key, chain, SslProvider.JDK);
  }

  /** A server context for {@code chain} (leaf first) and its key, with {@code provider}. */
  public static SslContext server(PrivateKey key, List<X509Certificate> chain, SslProvider provider) throws SSLException {
    return server(key, chain, provider, List.of());
  }

  /**
   * A server context for {@code chain} (leaf first) and its key, with {@code provider}, choosing
   * from {@code alpn} (in our order of preference) when the client offers ALPN; a client offering
   * none of them goes on without a protocol chosen.
   */
  public static SslContext server(PrivateKey key, List<X509Certificate> chain, SslProvider provider, List<String> alpn)
      throws SSLException {
    SslContextBuilder builder = SslContextBuilder.forServer(new SingleKeyManager(key, chain.toArray(X509Certificate[]::new))).sslProvider(provider)
        .protocols(PROTOCOLS).ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
    if (provider != SslProvider.JDK && OpenSsl.isOcspSupported()) {
      builder.enableOcsp(true); // responses are set per handshake (EdgeCertificates.Chosen.staple)
    }
    if (!alpn.isEmpty()) {
      builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
          ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
          ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
    }
    return builder.build();
  }

  /**
   * The provider {@code wanted} names: OpenSSL (BoringSSL through netty-tcnative) for AUTO where its
   * native library loads, else the JDK's.
   *
   * @throws IllegalStateException when OPENSSL is asked for and cannot load, saying why
   */
  public static SslProvider provider(EdgeTlsConfig.Provider wanted) {
    return switch (wanted) {
      case JDK -> SslProvider.JDK;
      case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
      case OPENSSL -> {
        if (!OpenSsl.isAvailable()) {
          throw new IllegalStateException("EDGEPROXY_TLS_PROVIDER=openssl, but OpenSSL (netty-tcnative) cannot load: "
              + OpenSsl.unavailabilityCause());
        }
        yield SslProvider.OPENSSL;
      }
    };
  }

  /** What {@code provider} is, for the start-up log. */
  public static String describe(SslProvider provider) {
    return provider == SslProvider.JDK ? "the JDK's TLS" : "OpenSSL (" + OpenSsl.versionString() + ")";
  }

  /** True when {@code key} is the private half of {@code leaf}'s public key (a signature made with one verifies with the other). */
  public static boolean matches(PrivateKey key, X509Certificate leaf) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return false;
    }
    try {
      byte[] probe = "edgeproxy key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The DNS names {@code certificate} is valid for (subjectAltName DNS entries, else the CN), normalized. */
  public static List<String> names(X509Certificate certificate) {
    return CertificateNames.of(certificate);
  }

  /** {@code sha256//<base64>} of the certificate's public key, as curl's --pinnedpubkey wants it. */
  public static String pin(X509Certificate certificate) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
      return "sha256//" + Base64.getEncoder().encodeToString(hash);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
