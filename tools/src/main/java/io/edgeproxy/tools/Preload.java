package io.edgeproxy.tools;

import io.edgeproxy.core.geo.MaxMindGeoResolver;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Start-up work that does not depend on the configuration, begun on a second thread while the
 * command line and logging are set up: loading SQLite's and io_uring's native libraries (and
 * SQLite's date format) and reading the embedded GeoIP database. On two cores this takes about a
 * third off the time from exec to the first proxied reply. Whatever is not needed is simply never
 * asked for.
 */
public final class Preload {
  private static volatile @Nullable CompletableFuture<MaxMindGeoResolver> embeddedGeo;

  private Preload() {}

  /** Starts preloading; cheap and idempotent. */
  public static synchronized void start() {
    if (embeddedGeo != null) {
      return;
    }
    embeddedGeo = CompletableFuture.supplyAsync(() -> {
      Thread thread = new Thread(Preload::loadNativeLibraries, "preload-native");
      thread.setDaemon(true);
      thread.start();
      return MaxMindGeoResolver.embedded();
    }, runnable -> {
      Thread thread = new Thread(runnable, "preload-geo");
      thread.setDaemon(true);
      thread.start();
    });
  }

  private static void loadNativeLibraries() {
    try {
      org.sqlite.SQLiteJDBCLoader.initialize();
      // Every connection's configuration makes a date format, which loads the locale's data on
      // the thread that first opens routing.db unless done here (the format is cached by its
      // pattern, zone and locale).
      new org.sqlite.SQLiteConfig().newConnectionConfig();
      io.netty.channel.uring.IoUring.isAvailable();
    } catch (Exception | LinkageError e) {
      // Loaded again (and the failure reported) where it is actually needed.
    }
  }

  /**
   * Loads OpenSSL on a second thread, for a node whose HTTPS edge will ask for it: netty-tcnative's
   * native library, then Netty's self-check of it (it makes a key and a context), about half a
   * second of a fresh JVM's time that otherwise sits between binding the proxy and binding the
   * HTTPS edge. The edge's first use waits for whatever is left of it (a class's initialization).
   */
  static void openSsl(io.edgeproxy.core.config.@Nullable EdgeTlsConfig tls) {
    if (tls == null || tls.provider() == io.edgeproxy.core.config.EdgeTlsConfig.Provider.JDK) {
      return; // no HTTPS edge, or the JDK's TLS
    }
    Thread thread = new Thread(() -> {
      try {
        io.netty.handler.ssl.OpenSsl.isAvailable();
      } catch (LinkageError e) {
        // Reported where it is needed (EDGEPROXY_TLS_PROVIDER=openssl says why it cannot load).
      }
    }, "preload-openssl");
    thread.setDaemon(true);
    thread.start();
  }

  /** The GeoIP database at {@code path}, or the embedded one when null; logs which. */
  static MaxMindGeoResolver geo(java.nio.file.@Nullable Path path) {
    MaxMindGeoResolver geo = path == null ? embeddedGeo() : MaxMindGeoResolver.open(path);
    org.slf4j.LoggerFactory.getLogger(EdgeNode.class).info("GeoIP: {}", geo.describe());
    return geo;
  }

  /** The embedded GeoIP database: the preloaded one if preloading ran, else loaded now. */
  public static MaxMindGeoResolver embeddedGeo() {
    CompletableFuture<MaxMindGeoResolver> future = embeddedGeo;
    embeddedGeo = null; // hand it out once; a second node loads its own
    return future == null ? MaxMindGeoResolver.embedded() : future.join();
  }
}
