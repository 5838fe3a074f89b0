package io.edgeproxy.tools.cli;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback configured in code (found through META-INF/services): one line per event on stderr,
 * INFO and up; the HTTP access log through a queue and its own thread. Parsing an XML configuration cost about a tenth of a second of start-up; this does
 * not. Levels are adjusted at start-up from DEBUG (see {@link Logging}).
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogbackSetup extends ContextAwareBase implements Configurator {
  static final String ACCESS_LOGGER = "edgeproxy.access";
  static final String STDERR = "stderr";
  static final String ACCESS_FIELDS = "edgeproxy.access.fields";
  private static final int ACCESS_QUEUE = 16_384;

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    LineLayout layout = new LineLayout(); // the pattern's line, without its compiler at every start
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName(STDERR);
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(stderr);
    // The access log (a line per HTTP request) is written by its own thread: written by the I/O
    // threads, it cost a fifth of the keep-alive throughput. When the queue is full, lines are
    // dropped rather than the I/O threads stopped (as a syslog over UDP would).
    AsyncAppender access = new AsyncAppender();
    access.setContext(context);
    access.setName("access");
    access.setQueueSize(ACCESS_QUEUE);
    access.setDiscardingThreshold(0);
    access.setNeverBlock(true);
    access.addAppender(stderr);
    access.start();
    ch.qos.logback.classic.Logger accessLogger = context.getLogger(ACCESS_LOGGER);
    accessLogger.setAdditive(false);
    accessLogger.addAppender(access);
    // The access lines' key-value pairs: only the JSON format shows them (Logging turns this on).
    context.getLogger(ACCESS_FIELDS).setLevel(Level.OFF);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
