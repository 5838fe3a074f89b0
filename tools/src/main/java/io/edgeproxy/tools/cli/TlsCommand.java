package io.edgeproxy.tools.cli;

import io.edgeproxy.core.config.ConfigKey;
import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.edge.HostNames;
import io.edgeproxy.core.edge.StoredCertificate;
import io.edgeproxy.replication.tls.ClusterPki;
import io.edgeproxy.sql.LeaseRule;
import io.edgeproxy.sql.LoadResult;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.tools.tls.CertificateSeal;
import io.edgeproxy.tools.tls.TlsContexts;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code edgeproxy tls}: the HTTPS edge's certificates in the replicated {@code certificates}
 * table (the cluster's own PKI is {@code edgeproxy certs}). Keys are sealed before they are
 * written (see {@link CertificateSeal}); the agent on the file applies a change at once when its
 * admin endpoint answers, and every POP gets it by replication.
 */
@Command(name = "tls", mixinStandardHelpOptions = true,
    description = "Manage the HTTPS edge's certificates (table certificates, replicated to every POP).")
public final class TlsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every subcommand shares: which routing.db, which agent. */
  abstract static class OnDb {
    final Map<String, String> env;

    @Spec CommandSpec spec;

    @Option(names = "--db", description = "routing.db to use (default: EDGEPROXY_DB_PATH, else ./routing.db).")
    @Nullable Path db;

    @Option(names = "--admin", paramLabel = "HOST:PORT",
        description = "Admin endpoint of the agent on this routing.db, asked to apply the change now (default: EDGEPROXY_ADMIN_ADDR).")
    @Nullable String admin;

    OnDb(Map<String, String> env) {
      this.env = env;
    }

    Path path() {
      return db != null ? db : Path.of(env.getOrDefault(ConfigKey.DB_PATH.env(), ConfigKey.DB_PATH.defaultValue()));
    }

    /** The node's configuration from the environment (the seal depends on its replication settings). */
    EdgeConfig config() {
      return EdgeConfig.load(env, Map.of(ConfigKey.DB_PATH, path().toString()));
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    PrintWriter err() {
      return spec.commandLine().getErr();
    }

    int usage(String problem) {
      err().println(spec.qualifiedName() + ": " + problem);
      return 2;
    }

    /** {@code hostname} normalized, or null after saying what is wrong with it. */
    @Nullable String hostname(String hostname) {
      String name = HostNames.normalize(hostname).orElse(null);
      if (name == null) {
        usage("hostname '" + hostname + "' (expected: " + HostNames.EXPECTED + ")");
      }
      return name;
    }
  }

  /** {@code edgeproxy tls add HOSTNAME --cert FILE --key FILE}. */
  @Command(name = "add", mixinStandardHelpOptions = true,
      description = {"Store a certificate for HOSTNAME (an exact name, or *.example.com for every name one label below it).",
          "Replaces the one stored for that name. New handshakes on every POP use it within a second of replicating."})
  static final class Add extends OnDb implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "HOSTNAME")
    String hostname;

    @Option(names = "--cert", required = true, paramLabel = "FILE", description = "PEM certificate chain, leaf first.")
    Path cert;

    @Option(names = "--key", required = true, paramLabel = "FILE", description = "Its PEM private key (PKCS#8, RSA or EC).")
    Path key;

    Add(Map<String, String> env) {
      super(env);
    }

    @Override
    public Integer call() {
      String name = hostname(hostname);
      if (name == null) {
        return 2;
      }
      List<X509Certificate> chain;
      PrivateKey privateKey;
      try {
        chain = ClusterPki.loadChain(cert);
        privateKey = ClusterPki.loadKey(key);
      } catch (IllegalArgumentException e) {
        err().println("edgeproxy tls add: " + e.getMessage());
        return 1;
      }
      X509Certificate leaf = chain.getFirst();
      if (!TlsContexts.matches(privateKey, leaf)) {
        err().println("edgeproxy tls add: " + key + " is not the private key of the first certificate in " + cert);
        return 1;
      }
      if (!covers(leaf, name)) {
        err().println("edgeproxy tls add: " + cert + " is not valid for " + name + " (it names "
            + String.join(", ", io.edgeproxy.tools.tls.TlsContexts.names(leaf)) + ")");
        return 1;
      }
      CertificateSeal seal = CertificateSeal.forNode(config());
      String agent = AdminClient.address(admin, env);
      if (AdminClient.get(agent, "/v1/status") instanceof AdminClient.Reply.Ok ok) {
        String theirs = sealIdOf(ok);
        if (theirs != null && !theirs.equals(seal.id())) {
          err().println("edgeproxy tls add: the agent at " + agent + " seals keys with a different key (id " + theirs + ") than this"
              + " command (" + seal.source() + ", id " + seal.id() + "): its POPs could not open this one. Run it with the agent's"
              + " environment (its EDGEPROXY_REPLICATION_* settings and EDGEPROXY_DB_PATH).");
          return 1;
        }
      }
      String pem = chain.stream().map(ClusterPki::pem).collect(Collectors.joining());
      try (RoutingDb routing = RoutingDb.open(path())) {
        routing.upsertCertificate(name, pem, seal.seal(name, privateKey), leaf.getNotAfter().getTime(), "operator");
      }
      out().println("certificate for " + name + " stored in " + path() + " (key sealed with " + seal.source() + "), valid until "
          + leaf.getNotAfter().toInstant());
      out().flush();
      AdminClient.flushAndReport(AdminClient.address(admin, env), path(), err(), "edgeproxy tls add");
      return 0;
    }

    /** The seal id an agent's status reports, or null when its HTTPS edge is off. */
    private static @Nullable String sealIdOf(AdminClient.Reply.Ok status) {
      try {
        var id = status.json().path("https").path("sealId");
        return id.isMissingNode() || id.isNull() ? null : id.asText();
      } catch (java.io.IOException e) {
        return null;
      }
    }

    private static boolean covers(X509Certificate leaf, String name) {
      for (String covered : io.edgeproxy.tools.tls.TlsContexts.names(leaf)) {
        if (covered.equals(name) || (HostNames.isWildcard(covered) && !HostNames.isWildcard(name)
            && HostNames.wildcardOf(name).map(covered::equals).orElse(false))) {
          return true;
        }
      }
      return false;
    }
  }

  /** {@code edgeproxy tls list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the certificates in the table, and rows skipped as bad.")
  static final class ListCommand extends OnDb implements Callable<Integer> {
    ListCommand(Map<String, String> env) {
      super(env);
    }

    @Override
    public Integer call() {
      LoadResult loaded;
      try (RoutingDb routing = RoutingDb.open(path())) {
        loaded = routing.load(LeaseRule.defaults(), System.currentTimeMillis());
      }
      TextTable table = new TextTable("HOSTNAME", "SOURCE", "NOT AFTER", "NAMES", "ISSUER");
      for (StoredCertificate row : loaded.data().edge().certificates()) {
        String names;
        String issuer;
        try {
          X509Certificate leaf = ClusterPki.parseChain(row.chainPem(), "chain_pem").getFirst();
          names = String.join(",", io.edgeproxy.tools.tls.TlsContexts.names(leaf));
          issuer = leaf.getIssuerX500Principal().getName();
        } catch (IllegalArgumentException e) {
          names = "(unreadable chain)";
          issuer = "-";
        }
        table.add(row.hostname(), row.source(), row.notAfterMs() == 0 ? null : Instant.ofEpochMilli(row.notAfterMs()), names, issuer);
      }
      table.print(out(), "");
      loaded.problems().stream().filter(p -> p.startsWith("certificates ")).forEach(p -> err().println(p));
      out().flush();
      err().flush();
      return 0;
    }
  }

  /** {@code edgeproxy tls remove HOSTNAME}. */
  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove the certificate stored for HOSTNAME, on every POP.")
  static final class Remove extends OnDb implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "HOSTNAME")
    String hostname;

    Remove(Map<String, String> env) {
      super(env);
    }

    @Override
    public Integer call() {
      String name = hostname(hostname);
      if (name == null) {
        return 2;
      }
      int removed;
      try (RoutingDb routing = RoutingDb.open(path())) {
        removed = routing.write("DELETE FROM certificates WHERE hostname = ?", name);
      }
      if (removed == 0) {
        err().println("edgeproxy tls remove: no certificate is stored for " + name + " in " + path());
        return 1;
      }
      out().println("certificate for " + name + " removed from " + path());
      out().flush();
      AdminClient.flushAndReport(AdminClient.address(admin, env), path(), err(), "edgeproxy tls remove");
      return 0;
    }
  }
}
