package io.edgeproxy.tools;

import io.edgeproxy.tools.cli.Cli;

/** Entry point of the {@code edgeproxy} command. */
public final class EdgeMain {
  private EdgeMain() {}

  public static void main(String[] args) {
    nettyDefaults();
    if (args.length > 0 && (args[0].equals("agent") || args[0].equals("demo"))) {
      Preload.start();
    }
    System.exit(Cli.run(System.getenv(), args));
  }

  /**
   * Two of Netty's defaults that cost the appliance more than they give it, set before any Netty
   * class initializes (the preload starts io_uring's). A property given on the command line
   * ({@code EDGEPROXY_JAVA_OPTS="-D..."}) is left alone.
   * <ul>
   *   <li>{@code io.netty.jfr.enabled=false}: Netty registers its buffer allocators' Flight Recorder
   *       events on the first allocation, which starts JFR's event machinery on that thread: about
   *       100 ms of a fresh agent's first proxied connection (benchmarks/startup.sh). Nothing here
   *       records them.
   *   <li>{@code io.netty.leakDetection.samplingInterval=4096} (Netty's: 128): a buffer sampled for
   *       leak tracking takes a stack trace when allocated and again when released, 2 % of the
   *       HTTPS edge's CPU under HTTP/2 load (perf). One in 4,096 still finds a leak that repeats.
   *       The in-JVM tests run at Netty's paranoid level (pom.xml).
   * </ul>
   */
  private static void nettyDefaults() {
    defaultProperty("io.netty.jfr.enabled", "false");
    defaultProperty("io.netty.leakDetection.samplingInterval", "4096");
  }

  private static void defaultProperty(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
