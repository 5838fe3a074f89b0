package io.edgeproxy.tools.tls.acme;

import io.edgeproxy.core.config.AcmeConfig;
import io.edgeproxy.replication.tls.ClusterPki;
import java.net.URL;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.jspecify.annotations.Nullable;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

/**
 * One ACME account on one server (acme4j): orders a certificate for one name by HTTP-01, the
 * challenge answers published through a {@link ChallengeBoard} (replicated, so the CA may ask any
 * POP). Blocking; used from the ACME thread only.
 */
final class AcmeClient {
  private static final Duration WAIT = Duration.ofSeconds(90);

  /** Where HTTP-01 answers go while the CA checks them. */
  interface ChallengeBoard {
    void publish(String token, String keyAuthorization, String hostname);

    void withdraw(String token);
  }

  /** A certificate and its new key. */
  record Issued(List<X509Certificate> chain, KeyPair key) {}

  private final AcmeConfig config;
  private final KeyPair accountKey;
  private @Nullable Account account;

  AcmeClient(AcmeConfig config, KeyPair accountKey) {
    this.config = config;
    this.accountKey = accountKey;
  }

  /**
   * Orders a certificate for {@code hostname}.
   *
   * @throws AcmeException saying what the CA refused or what failed (a challenge's error included)
   */
  Issued order(String hostname, ChallengeBoard board) throws AcmeException {
    Order order = account().newOrder().domain(hostname).create();
    for (Authorization auth : order.getAuthorizations()) {
      if (auth.getStatus() == Status.VALID) {
        continue;
      }
      Http01Challenge challenge = auth.findChallenge(Http01Challenge.class)
          .orElseThrow(() -> new AcmeException("the CA offers no http-01 challenge for " + hostname));
      board.publish(challenge.getToken(), challenge.getAuthorization(), hostname);
      try {
        challenge.trigger();
        Status status = waitFor(() -> challenge.waitForCompletion(WAIT));
        if (status != Status.VALID) {
          throw new AcmeException("http-01 for " + hostname + " is " + status + challenge.getError()
              .map(p -> ": " + p.toString()).orElse(""));
        }
      } finally {
        board.withdraw(challenge.getToken());
      }
    }
    Status ready = waitFor(() -> order.waitUntilReady(WAIT));
    if (ready != Status.READY) {
      throw new AcmeException("the order for " + hostname + " is " + ready + order.getError().map(p -> ": " + p).orElse(""));
    }
    KeyPair key = newKey();
    order.execute(key);
    Status done = waitFor(() -> order.waitForCompletion(WAIT));
    if (done != Status.VALID) {
      throw new AcmeException("the order for " + hostname + " ended " + done + order.getError().map(p -> ": " + p).orElse(""));
    }
    return new Issued(order.getCertificate().getCertificateChain(), key);
  }

  private interface Wait {
    Status call() throws AcmeException, InterruptedException;
  }

  private static Status waitFor(Wait wait) throws AcmeException {
    try {
      return wait.call();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AcmeException("interrupted while waiting for the CA");
    }
  }

  private Account account() throws AcmeException {
    if (account == null) {
      AccountBuilder builder = new AccountBuilder().agreeToTermsOfService().useKeyPair(accountKey);
      if (config.email() != null) {
        builder.addEmail(config.email());
      }
      account = builder.create(new Session(config.directory(), new TrustingProvider(trust(config.caCerts()))));
    }
    return account;
  }

  /** A new EC P-256 key pair (accounts and certificates). */
  static KeyPair newKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The JDK's trust plus the certificates of {@code extra} (EDGEPROXY_ACME_CA_CERTS). */
  static SSLContext trust(@Nullable Path extra) {
    try {
      TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      jdk.init((KeyStore) null);
      X509TrustManager system = (X509TrustManager) jdk.getTrustManagers()[0];
      SSLContext context = SSLContext.getInstance("TLS");
      if (extra == null) {
        context.init(null, new TrustManager[] {system}, null);
        return context;
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (X509Certificate ca : system.getAcceptedIssuers()) {
        store.setCertificateEntry("jdk-" + i++, ca);
      }
      for (X509Certificate ca : ClusterPki.loadChain(extra)) {
        store.setCertificateEntry("extra-" + i++, ca);
      }
      TrustManagerFactory both = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      both.init(store);
      context.init(null, both.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build the trust for the ACME server: " + e.getMessage(), e);
    }
  }

  /** acme4j's provider for any http(s) directory, its HTTP client trusting {@code context}. */
  private static final class TrustingProvider extends GenericAcmeProvider {
    private final SSLContext context;

    TrustingProvider(SSLContext context) {
      this.context = context;
    }

    @Override
    protected HttpConnector createHttpConnector(NetworkSettings settings) {
      return new HttpConnector(settings) {
        @Override
        public HttpClient.Builder createClientBuilder() {
          return super.createClientBuilder().sslContext(context);
        }
      };
    }

    @Override
    public URL resolve(java.net.URI serverUri) {
      return super.resolve(serverUri);
    }
  }
}
