package io.edgeproxy.tools.tls.acme;

import io.edgeproxy.core.config.AcmeConfig;
import io.edgeproxy.core.edge.HostNames;
import io.edgeproxy.core.edge.HostnameRule;
import io.edgeproxy.core.routing.RoutingSnapshot;
import io.edgeproxy.core.routing.RoutingState;
import io.edgeproxy.discovery.WriteReceipts;
import io.edgeproxy.replication.tls.ClusterPki;
import io.edgeproxy.sql.AcmeRows;
import io.edgeproxy.tools.tls.CertificateSeal;
import io.edgeproxy.tools.tls.EdgeCertificateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an ACME certificate for every name the HTTPS edge serves by name: {@code <app>.<domain>}
 * for each app, and each exact {@code terminate} row of {@code hostnames} (wildcards need DNS-01:
 * they come from files or the table). A name is ordered when no certificate from the table or the
 * directory covers it, or the one that does expires within {@link AcmeConfig#RENEW_BEFORE}.
 *
 * <p>Across POPs: before ordering, a POP writes a lease row ({@code acme_orders}, replicated) and
 * skips names another POP holds a live lease on. Replication is not a lock, so two POPs may still
 * order one name at once: that is harmless, both certificates are valid and the newer row wins
 * everywhere. The HTTP-01 answer is published as a replicated row, so the CA may ask any POP.
 * Failures back off (1 min, doubling, at most 6 h), are kept in the row, and show in status and
 * metrics. One thread; every check is also run after each routing snapshot.
 */
public final class AcmeManager implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(AcmeManager.class);
  static final Duration LEASE = Duration.ofMinutes(10);
  static final Duration FIRST_BACKOFF = Duration.ofMinutes(1);
  static final Duration MAX_BACKOFF = Duration.ofHours(6);
  private static final Duration CHECK_EVERY = Duration.ofSeconds(30);
  static final Duration SPREAD_WAIT = Duration.ofSeconds(10);
  private static final Duration SNAPSHOT_GRACE = Duration.ofMillis(200);

  /** What status says about one name. */
  public record Entry(String hostname, String state, @Nullable Instant notAfter, int failures, @Nullable String lastError,
      @Nullable Instant nextTry) {}

  private final AcmeConfig config;
  private final @Nullable String domain;
  private final String node;
  private final Clock clock;
  private final RoutingState state;
  private final EdgeCertificateStore store;
  private final CertificateSeal seal;
  private final AcmeRows rows;
  private final Runnable reload;
  private final WriteReceipts receipts;
  private final AcmeClient client;
  private final ScheduledExecutorService thread;
  private final AtomicBoolean queued = new AtomicBoolean();
  private final AtomicLong issued = new AtomicLong();
  private final AtomicLong failedTotal = new AtomicLong();
  private final Map<String, Entry> status = new ConcurrentHashMap<>();

  /** The parts it works with; {@code reload} makes this POP's snapshot see its own writes now. */
  public record Parts(AcmeConfig config, @Nullable String domain, String node, Clock clock, RoutingState state,
      EdgeCertificateStore store, CertificateSeal seal, AcmeRows rows, Runnable reload, AcmeAccountKey accountKey,
      WriteReceipts receipts) {}

  private AcmeManager(Parts parts) {
    this.config = parts.config();
    this.domain = parts.domain();
    this.node = parts.node();
    this.clock = parts.clock();
    this.state = parts.state();
    this.store = parts.store();
    this.seal = parts.seal();
    this.rows = parts.rows();
    this.reload = parts.reload();
    this.receipts = parts.receipts();
    this.client = new AcmeClient(config, parts.accountKey().keyPair());
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "acme");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts checking now, then every 30 s and after every routing snapshot. */
  public static AcmeManager start(Parts parts) {
    AcmeManager manager = new AcmeManager(parts);
    logger.info("ACME: certificates from {} for the names the HTTPS edge serves", parts.config().directory());
    manager.thread.scheduleWithFixedDelay(manager::checkSafely, 0, CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    parts.state().onPublish(s -> manager.soon());
    return manager;
  }

  /** Runs a check as soon as the thread is free (coalesced). */
  public void soon() {
    if (queued.compareAndSet(false, true)) {
      try {
        thread.execute(() -> {
          queued.set(false);
          checkSafely();
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closed: nothing more to check (a snapshot publish must never fail because of this)
      }
    }
  }

  private void checkSafely() {
    try {
      check();
    } catch (RuntimeException e) {
      logger.warn("ACME: check failed: {}", e.toString());
    }
  }

  /** The names wanted now: {@code <app>.<domain>} and exact terminate rows, sorted. */
  static List<String> wanted(RoutingSnapshot snapshot, @Nullable String domain) {
    TreeSet<String> names = new TreeSet<>();
    if (domain != null) {
      for (String app : snapshot.namedApps()) {
        HostNames.normalize(app + "." + domain).ifPresent(names::add);
      }
    }
    for (HostnameRule rule : snapshot.data().edge().hostnames().values()) {
      if (rule.mode() == HostnameRule.Mode.TERMINATE && !HostNames.isWildcard(rule.hostname())) {
        names.add(rule.hostname());
      }
    }
    return new ArrayList<>(names);
  }

  void check() {
    long now = clock.millis();
    rows.dropExpiredChallenges(now);
    List<String> names = wanted(state.current(), domain);
    status.keySet().retainAll(names);
    Map<String, AcmeRows.Order> orders = rows.orders();
    for (String name : names) {
      EdgeCertificateStore.Validity validity = store.validityOf(name);
      Instant expiry = validity == null ? null : validity.notAfter();
      AcmeRows.Order order = orders.get(name);
      if (validity != null && !renewalDue(validity, now)) {
        status.put(name, entry(name, "valid", expiry, order));
        continue;
      }
      if (order != null && order.nextTryMs() > now) {
        status.put(name, entry(name, "failed", expiry, order)); // backing off until nextTry
        continue;
      }
      if (order != null && order.node() != null && !order.node().equals(node) && order.leaseUntilMs() > now) {
        status.put(name, entry(name, "being ordered by " + order.node(), expiry, order));
        continue;
      }
      order(name, expiry, order, now);
    }
  }

  /**
   * Renewal starts {@link AcmeConfig#RENEW_BEFORE} before expiry, or a third of the lifetime before
   * it for certificates shorter-lived than 90 days (a 6-day certificate is renewed after 4 days,
   * not at once and forever).
   */
  static boolean renewalDue(EdgeCertificateStore.Validity validity, long nowMs) {
    long lifetime = validity.notAfter().toEpochMilli() - validity.notBefore().toEpochMilli();
    long before = Math.min(AcmeConfig.RENEW_BEFORE.toMillis(), lifetime / 3);
    return validity.notAfter().toEpochMilli() - nowMs <= before;
  }

  private void order(String name, @Nullable Instant expiry, AcmeRows.@Nullable Order previous, long now) {
    rows.lease(name, node, now + LEASE.toMillis());
    status.put(name, new Entry(name, expiry == null ? "ordering" : "renewing", expiry, previous == null ? 0 : previous.failures(),
        previous == null ? null : previous.lastError(), null));
    logger.info("ACME: {} a certificate for {}", expiry == null ? "ordering" : "renewing (expires " + expiry + ")", name);
    try {
      AcmeClient.Issued cert = client.order(name, new AcmeClient.ChallengeBoard() {
        @Override
        public void publish(String token, String keyAuthorization, String hostname) {
          rows.publishChallenge(token, keyAuthorization, hostname, clock.millis() + LEASE.toMillis());
          reload.run();
          awaitEveryPop(hostname);
        }

        @Override
        public void withdraw(String token) {
          rows.withdrawChallenge(token);
        }
      });
      String pem = cert.chain().stream().map(ClusterPki::pem).collect(Collectors.joining());
      Instant notAfter = cert.chain().getFirst().getNotAfter().toInstant();
      rows.storeCertificate(name, pem, seal.seal(name, cert.key().getPrivate()), notAfter.toEpochMilli());
      rows.succeeded(name, node);
      issued.incrementAndGet();
      reload.run();
      status.put(name, new Entry(name, "valid", notAfter, 0, null, null));
      logger.info("ACME: certificate for {} stored, valid until {}", name, notAfter);
    } catch (Exception e) { // AcmeException, or a failed write (full disk): counted and retried later either way
      int failures = (previous == null ? 0 : previous.failures()) + 1;
      long backoff = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(failures - 1, 20));
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      failedTotal.incrementAndGet();
      try {
        rows.failed(name, node, failures, clock.millis() + backoff, why);
        reload.run();
      } catch (RuntimeException writeFailed) {
        logger.warn("ACME: cannot record the failure for {}: {}", name, writeFailed.getMessage());
      }
      status.put(name, new Entry(name, "failed", expiry, failures, why, Instant.ofEpochMilli(clock.millis() + backoff)));
      logger.warn("ACME: order for {} failed ({} in a row; next try in {} s): {}", name, failures, backoff / 1000, why);
    }
  }

  /**
   * Waits (at most {@link #SPREAD_WAIT}) until every POP has applied the challenge just written:
   * the CA may ask whichever POP the name resolves to, and a POP without the row answers 404,
   * which fails the order. A POP that is down never applies it; the CA then may or may not reach
   * it, so the order goes on after the wait either way.
   */
  private void awaitEveryPop(String hostname) {
    var receipt = receipts.afterWrite();
    if (receipt.isEmpty()) {
      return; // no replication: this POP alone answers
    }
    long deadline = System.nanoTime() + SPREAD_WAIT.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        var view = receipts.status(receipt.get());
        if (view.isEmpty() || view.get().allApplied()) {
          Thread.sleep(SNAPSHOT_GRACE.toMillis()); // applied, then published in each POP's snapshot
          return;
        }
        Thread.sleep(50);
      }
      logger.warn("ACME: the challenge for {} has not reached every POP within {} s ({}); asking the CA anyway", hostname,
          SPREAD_WAIT.toSeconds(), receipts.status(receipt.get()).map(v -> "missing: " + v.missing()).orElse("?"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Entry entry(String name, String what, @Nullable Instant expiry, AcmeRows.@Nullable Order order) {
    return new Entry(name, what, expiry, order == null ? 0 : order.failures(), order == null ? null : order.lastError(),
        order == null || order.nextTryMs() == 0 ? null : Instant.ofEpochMilli(order.nextTryMs()));
  }

  /** Every wanted name and where it stands, sorted by name. */
  public List<Entry> status() {
    return status.values().stream().sorted(java.util.Comparator.comparing(Entry::hostname)).toList();
  }

  /** Certificates issued by this POP since it started. */
  public long issuedTotal() {
    return issued.get();
  }

  /** Orders of this POP that failed since it started. */
  public long failuresTotal() {
    return failedTotal.get();
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
