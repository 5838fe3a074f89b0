package io.edgeproxy.tools;

import io.edgeproxy.tools.cli.Cli;

/** Entry point of the {@code edgeproxy} command. */
public final class EdgeMain {
  private EdgeMain() {}

  public static void main(String[] args) {
    // Netty registers its buffer allocators' Flight Recorder events on the first allocation when
    // JFR is available, which initializes JFR's event machinery on that thread: about 100 ms of a
    // fresh agent's first proxied connection (benchmarks/startup.sh). Nothing here records them; an
    // operator who wants them passes -Dio.netty.jfr.enabled=true, which this leaves alone. Set
    // before any Netty class initializes (the preload below starts io_uring's).
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
    if (args.length > 0 && (args[0].equals("agent") || args[0].equals("demo"))) {
      Preload.start();
    }
    System.exit(Cli.run(System.getenv(), args));
  }

}
