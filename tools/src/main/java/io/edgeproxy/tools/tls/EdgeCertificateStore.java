package io.edgeproxy.tools.tls;

import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.core.config.TlsFiles;
import io.edgeproxy.core.edge.HostNames;
import io.edgeproxy.core.edge.StoredCertificate;
import io.edgeproxy.core.routing.RoutingSnapshot;
import io.edgeproxy.core.routing.RoutingState;
import io.edgeproxy.proxy.EdgeCertificates;
import io.edgeproxy.replication.tls.ClusterPki;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.edgeproxy.proxy.EdgeCertificates.Alpn;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS edge's certificates, chosen per handshake by server name: an exact name, then the
 * wildcard one label up, then the default (EDGEPROXY_TLS_CERT/_KEY, or a self-signed certificate
 * made at start whose key exists only in memory). Per name, a row of the replicated
 * {@code certificates} table wins over a file of EDGEPROXY_TLS_CERTS_DIR.
 *
 * <p>The table is re-read on every routing snapshot whose rows differ (so a change made anywhere
 * in the cluster applies to the next handshake), the directory every second; a change swaps one
 * immutable map. A row or file that does not parse, whose key does not open or does not match its
 * certificate, is skipped with a warning naming it, and the rest keep serving.
 */
public final class EdgeCertificateStore implements EdgeCertificates, AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(EdgeCertificateStore.class);
  private static final List<String> HTTP_ALPN = List.of("h2", "http/1.1");
  private static final long TICKET_EPOCH_MILLIS = Duration.ofHours(12).toMillis();

  private final SslProvider provider;
  private final Contexts fallback;
  private final @Nullable Path directory;
  private final CertificateSeal seal;
  private final ScheduledExecutorService timer;
  private final OcspStapler stapler = new OcspStapler();
  private volatile Map<String, Contexts> fromTable = Map.of();
  private volatile Map<String, Contexts> fromDirectory = Map.of();
  private List<StoredCertificate> tableRows = List.of();
  private long ticketEpoch;
  private Map<Path, String> directoryStamps = Map.of();

  private EdgeCertificateStore(SslProvider provider, Contexts fallback, @Nullable Path directory, CertificateSeal seal) {
    this.provider = provider;
    this.fallback = fallback;
    this.directory = directory;
    this.seal = seal;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "edge-certificates");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Loads the default certificate, the directory and the table of the snapshot in force, and keeps
   * following both.
   *
   * @throws IllegalStateException naming the default certificate's files when they cannot be served
   */
  public static EdgeCertificateStore start(EdgeTlsConfig config, RoutingState state, CertificateSeal seal) {
    SslProvider provider = TlsContexts.provider(config.provider());
    logger.info("HTTPS edge: TLS by {}", TlsContexts.describe(provider));
    EdgeCertificateStore store = new EdgeCertificateStore(provider, defaultContext(config, provider), config.certificatesDir(), seal);
    store.refreshDirectory();
    store.refreshTable(state.current());
    store.useTicketKeys(store.fallback);
    state.onPublish(store::refreshTable);
    store.timer.scheduleWithFixedDelay(store::rotateTicketKeys, 1, 1, TimeUnit.MINUTES);
    store.timer.scheduleWithFixedDelay(store::refreshStaples, 0, 10, TimeUnit.SECONDS); // fetches only what is due
    if (config.certificatesDir() != null) {
      store.timer.scheduleWithFixedDelay(store::refreshDirectory, 1, 1, TimeUnit.SECONDS);
    }
    return store;
  }

  /** One certificate's two server contexts: without ALPN (relayed apps) and offering h2 and http/1.1 (HTTP mode). */
  private record Contexts(SslContext relayed, SslContext http, Validity validity, List<X509Certificate> chain) {
    static Contexts of(PrivateKey key, List<X509Certificate> chain, SslProvider provider) throws SSLException {
      return new Contexts(TlsContexts.server(key, chain, provider), TlsContexts.server(key, chain, provider, HTTP_ALPN),
          new Validity(chain.getFirst().getNotBefore().toInstant(), chain.getFirst().getNotAfter().toInstant()), List.copyOf(chain));
    }

    SslContext offering(Alpn alpn) {
      return alpn == Alpn.HTTP ? http : relayed;
    }
  }

  private static Contexts defaultContext(EdgeTlsConfig config, SslProvider provider) {
    TlsFiles files = config.defaultCertificate();
    List<String> names = new ArrayList<>(List.of("localhost"));
    if (config.domain() != null) {
      names.add("*." + config.domain());
    }
    try {
      TlsContexts.Served served = TlsContexts.served(files, names, "HTTPS edge (default certificate)");
      return Contexts.of(served.key(), served.chain(), provider);
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot serve the HTTPS edge's default certificate "
          + (files == null ? "(self-signed)" : files.certificate() + " with " + files.key()) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Chosen select(@Nullable String serverName, Alpn alpn) {
    Contexts contexts = contextsFor(serverName);
    return new Chosen(contexts.offering(alpn), stapler.stapleFor(contexts.chain().getFirst(), java.time.Instant.now()));
  }

  /** Fetches the OCSP responses due (the timer thread). */
  private void refreshStaples() {
    try {
      List<List<X509Certificate>> chains = new ArrayList<>();
      chains.add(fallback.chain());
      fromTable.values().forEach(c -> chains.add(c.chain()));
      fromDirectory.values().forEach(c -> chains.add(c.chain()));
      stapler.refresh(chains, java.time.Instant.now());
    } catch (RuntimeException e) {
      logger.warn("OCSP: refresh failed: {}", e.toString());
    }
  }

  private Contexts contextsFor(@Nullable String serverName) {
    if (serverName == null) {
      return fallback;
    }
    String name = HostNames.normalize(serverName).orElse(serverName.toLowerCase(Locale.ROOT));
    Contexts exact = pick(name);
    if (exact != null) {
      return exact;
    }
    String wildcard = HostNames.wildcardOf(name).orElse(null);
    Contexts wild = wildcard == null ? null : pick(wildcard);
    return wild != null ? wild : fallback;
  }

  /** When a certificate is valid. */
  public record Validity(java.time.Instant notBefore, java.time.Instant notAfter) {}

  /**
   * The validity of the certificate served for {@code name} from the table or the directory
   * (exact, else wildcard); null when only the default certificate covers it.
   */
  public @Nullable Validity validityOf(String name) {
    Contexts exact = pick(name);
    if (exact != null) {
      return exact.validity();
    }
    String wildcard = HostNames.wildcardOf(name).orElse(null);
    Contexts wild = wildcard == null ? null : pick(wildcard);
    return wild == null ? null : wild.validity();
  }

  private @Nullable Contexts pick(String name) {
    Contexts table = fromTable.get(name);
    return table != null ? table : fromDirectory.get(name);
  }

  /** The seal that opens the table's keys. */
  public CertificateSeal seal() {
    return seal;
  }

  /** Which TLS implementation terminates, for status. */
  public String providerDescription() {
    return TlsContexts.describe(provider);
  }

  /** The names served from the table and the directory (for status and tests). */
  public List<String> names() {
    List<String> out = new ArrayList<>(fromTable.keySet());
    fromDirectory.keySet().stream().filter(n -> !out.contains(n)).forEach(out::add);
    return out;
  }

  /**
   * A name served and its certificate's expiry.
   *
   * @param source where the certificate comes from: "table", "directory", or "default" (the default
   *     certificate, listed under its own names)
   */
  public record ServedName(String name, String source, java.time.Instant notAfter) {}

  /** Every name with the certificate it is served with (a name in the table and the directory: the table's), then the default's. */
  public List<ServedName> servedNames() {
    List<ServedName> out = new ArrayList<>();
    Map<String, Contexts> table = fromTable;
    table.forEach((name, c) -> out.add(new ServedName(name, "table", c.validity().notAfter())));
    fromDirectory.forEach((name, c) -> {
      if (!table.containsKey(name)) {
        out.add(new ServedName(name, "directory", c.validity().notAfter()));
      }
    });
    for (String name : CertificateNames.of(fallback.chain().getFirst())) {
      out.add(new ServedName(name, "default", fallback.validity().notAfter()));
    }
    return out;
  }

  private synchronized void refreshTable(RoutingSnapshot snapshot) {
    List<StoredCertificate> rows = snapshot.data().edge().certificates();
    if (rows.equals(tableRows)) {
      return;
    }
    Map<String, Contexts> out = new HashMap<>();
    for (StoredCertificate row : rows) {
      try {
        PrivateKey key = seal.unseal(row.hostname(), row.keySealed());
        out.put(row.hostname(), context(ClusterPki.parseChain(row.chainPem(), "chain_pem"), key));
      } catch (IllegalArgumentException | SSLException e) {
        logger.warn("routing.db: certificates row '{}' skipped: {}", row.hostname(), e.getMessage());
      }
    }
    tableRows = rows;
    fromTable = Map.copyOf(out);
    stapleSoon();
    logger.info("HTTPS edge: {} certificates from table certificates", out.size());
  }

  private synchronized void refreshDirectory() {
    if (directory == null) {
      return;
    }
    Map<Path, String> stamps = new LinkedHashMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.crt")) {
      for (Path crt : files) {
        Path key = crt.resolveSibling(crt.getFileName().toString().replaceFirst("\\.crt$", ".key"));
        stamps.put(crt, stamp(crt) + "/" + stamp(key));
      }
    } catch (IOException e) {
      logger.warn("cannot list EDGEPROXY_TLS_CERTS_DIR {}: {}; keeping its certificates as they were", directory, e.getMessage());
      return;
    }
    if (stamps.equals(directoryStamps)) {
      return;
    }
    Map<String, Contexts> out = new HashMap<>();
    for (Path crt : stamps.keySet()) {
      Path keyFile = crt.resolveSibling(crt.getFileName().toString().replaceFirst("\\.crt$", ".key"));
      try {
        List<X509Certificate> chain = ClusterPki.loadChain(crt);
        Contexts context = context(chain, ClusterPki.loadKey(keyFile));
        for (String name : CertificateNames.of(chain.getFirst())) {
          out.put(name, context);
        }
      } catch (IllegalArgumentException | SSLException e) {
        logger.warn("EDGEPROXY_TLS_CERTS_DIR: {} skipped: {}", crt, e.getMessage());
      }
    }
    directoryStamps = stamps;
    fromDirectory = Map.copyOf(out);
    stapleSoon();
    logger.info("HTTPS edge: {} names from {}", out.size(), directory);
  }

  private void stapleSoon() {
    try {
      timer.execute(this::refreshStaples);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed
    }
  }

  private static String stamp(Path file) {
    try {
      return Files.getLastModifiedTime(file).toMillis() + ":" + Files.size(file);
    } catch (IOException e) {
      return "missing";
    }
  }

  private Contexts context(List<X509Certificate> chain, PrivateKey key) throws SSLException {
    if (!TlsContexts.matches(key, chain.getFirst())) {
      throw new IllegalArgumentException("the private key does not belong to the first certificate of the chain");
    }
    return useTicketKeys(Contexts.of(key, chain, provider));
  }

  /**
   * Session tickets (OpenSSL): keys derived from the seal's secret for the current 12-hour epoch
   * (issuing) and the one before (still accepted), the same on every POP sharing the cluster key,
   * so a client resumes at any of them. Netty leaves tickets off until keys are set. The JDK's
   * TLS keeps its own per-process keys.
   */
  private synchronized Contexts useTicketKeys(Contexts contexts) {
    long epoch = System.currentTimeMillis() / TICKET_EPOCH_MILLIS;
    ticketEpoch = epoch;
    for (SslContext context : List.of(contexts.relayed(), contexts.http())) {
      if (context.sessionContext() instanceof OpenSslSessionContext tickets) {
        tickets.setTicketKeys(ticketKey(epoch), ticketKey(epoch - 1));
      }
    }
    return contexts;
  }

  private OpenSslSessionTicketKey ticketKey(long epoch) {
    byte[] k = seal.ticketKey(epoch);
    return new OpenSslSessionTicketKey(java.util.Arrays.copyOfRange(k, 0, 16), java.util.Arrays.copyOfRange(k, 16, 32),
        java.util.Arrays.copyOfRange(k, 32, 48));
  }

  private synchronized void rotateTicketKeys() {
    if (System.currentTimeMillis() / TICKET_EPOCH_MILLIS == ticketEpoch) {
      return;
    }
    useTicketKeys(fallback);
    fromTable.values().forEach(this::useTicketKeys);
    fromDirectory.values().forEach(this::useTicketKeys);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
