package io.edgeproxy.tools.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import io.edgeproxy.core.config.NodeConfig;
import java.util.concurrent.locks.LockSupport;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Log levels and format chosen at start-up (DEBUG / --debug, EDGEPROXY_LOG_FORMAT); Netty's own
 * debug chatter stays at INFO.
 */
final class Logging {
  private Logging() {}

  static void configure(boolean debug) {
    configure(debug, NodeConfig.LogFormat.TEXT);
  }

  static void configure(boolean debug, NodeConfig.LogFormat format) {
    LoggerContext context = loggerContext();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
    context.getLogger("io.edgeproxy").setLevel(debug ? Level.DEBUG : Level.INFO);
    if (format == NodeConfig.LogFormat.JSON) {
      json(context);
    }
  }

  /**
   * One JSON object per line from now on (Logstash's fields: {@code @timestamp}, {@code level},
   * {@code logger_name}, {@code thread_name}, {@code message}, {@code stack_trace}, plus the key-value
   * pairs a line carries, as the access log's do). The stderr appender is stopped while its encoder
   * changes (a stopped appender drops what comes meanwhile: a few lines at start-up at most).
   */
  private static void json(LoggerContext context) {
    var root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    if (!(root.getAppender(LogbackSetup.STDERR) instanceof ConsoleAppender<ILoggingEvent> stderr)) {
      throw new IllegalStateException("no " + LogbackSetup.STDERR + " appender to write JSON with");
    }
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext(context);
    encoder.start();
    stderr.stop();
    stderr.setEncoder(encoder);
    stderr.start();
    context.getLogger(LogbackSetup.ACCESS_FIELDS).setLevel(Level.INFO); // the access lines' fields, as JSON fields
  }

  /**
   * Logback's context. SLF4J may still be initialising on a preload thread, and until it is done
   * it hands out stand-in loggers, so wait (briefly) for the real factory. Parked, not spinning: on
   * two cores a spinning main thread took CPU from the thread it waited for.
   */
  private static LoggerContext loggerContext() {
    long deadline = System.nanoTime() + 5_000_000_000L;
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    while (!(factory instanceof LoggerContext) && System.nanoTime() < deadline) {
      LockSupport.parkNanos(200_000);
      factory = LoggerFactory.getILoggerFactory();
    }
    if (!(factory instanceof LoggerContext context)) {
      throw new IllegalStateException("logging did not initialise (SLF4J provider: " + factory.getClass().getName() + ")");
    }
    return context;
  }
}
