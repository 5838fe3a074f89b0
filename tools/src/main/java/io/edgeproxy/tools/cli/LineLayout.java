package io.edgeproxy.tools.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;

/**
 * The text log line, what {@code %d{yyyy-MM-dd'T'HH:mm:ss.SSSZZZZZ} %-5level %logger{0} - %msg%n}
 * (and the stack trace logback appends) made, written out: ISO 8601 time with the offset ("Z" in
 * UTC, else "+01:00"), the level padded to five, the logger's simple name, the message. Logback's
 * pattern (its parser, compiler and converter classes) showed as about 50 ms of a fresh agent's
 * start in a profile; this needs none of it (with {@code Preload}'s date format, the first reply
 * came about 23 ms sooner: docs/benchmarks.md).
 */
final class LineLayout extends LayoutBase<ILoggingEvent> {
  private final DateTimeFormatter time;

  LineLayout() {
    this(ZoneId.systemDefault());
  }

  /** Times in {@code zone} (tests; the appliance logs in the machine's zone). */
  LineLayout(ZoneId zone) {
    time = new DateTimeFormatterBuilder().appendPattern("yyyy-MM-dd'T'HH:mm:ss.SSS").appendOffset("+HH:MM", "Z")
        .toFormatter().withZone(zone);
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(128);
    time.formatTo(Instant.ofEpochMilli(event.getTimeStamp()), line);
    line.append(' ');
    String level = event.getLevel().toString();
    line.append(level);
    for (int i = level.length(); i < 5; i++) {
      line.append(' ');
    }
    line.append(' ');
    String logger = event.getLoggerName();
    line.append(logger, logger.lastIndexOf('.') + 1, logger.length());
    line.append(" - ").append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      line.append(ThrowableProxyUtil.asString(thrown)); // each of its lines ends with a separator
    }
    return line.toString();
  }
}
