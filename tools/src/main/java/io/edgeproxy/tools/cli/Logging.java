package io.edgeproxy.tools.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/** Log levels chosen at start-up (DEBUG / --debug); Netty's own debug chatter stays at INFO. */
final class Logging {
  private Logging() {}

  static void configure(boolean debug) {
    LoggerContext context = loggerContext();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
    context.getLogger("io.edgeproxy").setLevel(debug ? Level.DEBUG : Level.INFO);
  }

  /**
   * Logback's context. SLF4J may still be initialising on the preload thread, and until it is done
   * it hands out stand-in loggers, so wait (briefly) for the real factory.
   */
  private static LoggerContext loggerContext() {
    long deadline = System.nanoTime() + 5_000_000_000L;
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    while (!(factory instanceof LoggerContext) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      Thread.yield();
      factory = LoggerFactory.getILoggerFactory();
    }
    if (!(factory instanceof LoggerContext context)) {
      throw new IllegalStateException("logging did not initialise (SLF4J provider: " + factory.getClass().getName() + ")");
    }
    return context;
  }
}
