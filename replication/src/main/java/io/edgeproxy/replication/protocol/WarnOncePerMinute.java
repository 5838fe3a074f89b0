package io.edgeproxy.replication.protocol;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/** Logs a warning at most once a minute per key: a misbehaving peer must not flood the log. Thread-safe. */
public final class WarnOncePerMinute {
  private static final long EVERY = TimeUnit.MINUTES.toNanos(1);
  private final Logger logger;
  private final Map<String, Long> lastWarned = new ConcurrentHashMap<>();

  public WarnOncePerMinute(Logger logger) {
    this.logger = logger;
  }

  public void warn(String key, String message) {
    long now = System.nanoTime();
    Long last = lastWarned.get(key);
    if (last == null || now - last > EVERY) {
      lastWarned.put(key, now);
      logger.warn(message);
    }
  }
}
