package io.edgeproxy.tools;

import io.edgeproxy.tools.cli.Cli;

/** Entry point of the {@code edgeproxy} command. */
public final class EdgeMain {
  private EdgeMain() {}

  public static void main(String[] args) {
    if (args.length > 0 && (args[0].equals("agent") || args[0].equals("demo"))) {
      Preload.start();
    }
    System.exit(Cli.run(System.getenv(), args));
  }

}
