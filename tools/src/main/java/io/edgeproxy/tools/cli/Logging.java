package io.edgeproxy.tools.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Log levels chosen at start-up (DEBUG / --debug); Netty's own debug chatter stays at INFO. */
final class Logging {
  private Logging() {}

  static void configure(boolean debug) {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    ((Logger) LoggerFactory.getLogger("io.edgeproxy")).setLevel(debug ? Level.DEBUG : Level.INFO);
  }
}
