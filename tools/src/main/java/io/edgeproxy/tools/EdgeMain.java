package io.edgeproxy.tools;

import io.edgeproxy.tools.cli.Cli;

/** Entry point of the {@code edgeproxy} command. */
public final class EdgeMain {
  private EdgeMain() {}

  public static void main(String[] args) {
    System.exit(Cli.run(System.getenv(), args));
  }

}
