package io.edgeproxy.tools.cli.sql;

import java.io.Console;

/** Whether a person sits at this process's standard input and output. */
final class Terminals {
  private Terminals() {}

  /**
   * True when standard input and output are a terminal. Up to JDK 21 {@link System#console()} is
   * null otherwise; from JDK 22 it is never null and {@code Console.isTerminal()} (asked
   * reflectively: the code is compiled for 21) tells.
   */
  static boolean stdinIsTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (NoSuchMethodException e) {
      return true;
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }
}
