package io.edgeproxy.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The text line is byte for byte what logback's pattern made before it (operators' parsers keep working). */
class LineLayoutTest {
  private final LoggerContext context = new LoggerContext();

  private String pattern(ZoneId zone, LoggingEvent event) {
    PatternLayout layout = new PatternLayout();
    layout.setContext(context);
    layout.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSZZZZZ, " + zone.getId() + "} %-5level %logger{0} - %msg%n");
    layout.start();
    return layout.doLayout(event);
  }

  private String line(ZoneId zone, LoggingEvent event) {
    LineLayout layout = new LineLayout(zone);
    layout.setContext(context);
    layout.start();
    return layout.doLayout(event);
  }

  private LoggingEvent event(String logger, Level level, long millis, String message, Throwable thrown, Object... args) {
    Logger l = context.getLogger(logger);
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), l, level, message, thrown, args);
    event.setTimeStamp(millis);
    return event;
  }

  @Test
  void linesAreWhatThePatternMade() {
    IOException cause = new IOException("disk full");
    List<LoggingEvent> events = List.of(
        event("io.edgeproxy.proxy.ProxyServer", Level.INFO, 1_796_000_000_123L, "proxy listening on {} for app {}", null,
            "127.0.0.1:8080", "web"),
        event("io.edgeproxy.sql.RoutingReloader", Level.WARN, 1_796_000_000_007L, "row {} skipped", null, 3),
        event("edgeproxy.access", Level.DEBUG, 1_796_000_000_000L, "GET / 200", null),
        event("Root", Level.ERROR, 1_796_000_059_999L, "cannot write routing.db", new IllegalStateException("gone", cause)),
        event("a.b.C", Level.TRACE, 0L, "", null));
    for (String zone : List.of("UTC", "Europe/Paris", "Asia/Kolkata", "America/St_Johns")) {
      for (LoggingEvent event : events) {
        assertThat(line(ZoneId.of(zone), event)).as("%s in %s", event.getMessage(), zone).isEqualTo(pattern(ZoneId.of(zone), event));
      }
    }
    assertThat(line(ZoneId.of("UTC"), events.getFirst()))
        .isEqualTo("2026-11-30T00:53:20.123Z INFO  ProxyServer - proxy listening on 127.0.0.1:8080 for app web" + System.lineSeparator());
  }
}
