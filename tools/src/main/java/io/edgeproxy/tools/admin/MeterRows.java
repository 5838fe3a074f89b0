package io.edgeproxy.tools.admin;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One meter with a row per live thing (a backend, a tunnel, a peer, a certificate): each scrape
 * adds every row with its value, then publishes them; a row seen for the first time is registered,
 * a row no longer added is removed with its thing. Gauges as Micrometer's {@code MultiGauge} does, and counters
 * too, so a running total reaches Prometheus typed as a counter, named {@code ..._total}.
 *
 * <p>Called under {@link NodeMetrics#scrape()}'s lock only.
 */
final class MeterRows {
  private final MeterRegistry registry;
  private final String name;
  private final String description;
  private final @Nullable String baseUnit;
  private final boolean counter;
  private final Map<Tags, Meter> meters = new HashMap<>();
  private volatile Map<Tags, Double> values = Map.of();
  private Map<Tags, Double> next = new LinkedHashMap<>();

  private MeterRows(MeterRegistry registry, String name, String description, @Nullable String baseUnit, boolean counter) {
    this.registry = registry;
    this.name = name;
    this.description = description;
    this.baseUnit = baseUnit;
    this.counter = counter;
  }

  /** A gauge per row: a value that goes up and down. */
  static MeterRows gauge(MeterRegistry registry, String name, String description, @Nullable String baseUnit) {
    return new MeterRows(registry, name, description, baseUnit, false);
  }

  /** A counter per row: a running total that only resets when its thing goes (and maybe comes back). */
  static MeterRows counter(MeterRegistry registry, String name, String description, @Nullable String baseUnit) {
    return new MeterRows(registry, name, description, baseUnit, true);
  }

  /** Adds a row to those the next {@link #publish()} makes the meter's. */
  void row(Tags tags, double value) {
    next.put(tags, value);
  }

  /** Makes the rows added since the last call the meter's rows and values. */
  void publish() {
    Map<Tags, Double> rows = next;
    next = new LinkedHashMap<>();
    values = rows;
    for (Tags tags : rows.keySet()) {
      meters.computeIfAbsent(tags, this::register);
    }
    for (Iterator<Map.Entry<Tags, Meter>> it = meters.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Tags, Meter> row = it.next();
      if (!rows.containsKey(row.getKey())) {
        registry.remove(row.getValue());
        it.remove();
      }
    }
  }

  private Meter register(Tags tags) {
    if (counter) {
      return FunctionCounter.builder(name, this, m -> m.valueOf(tags)).tags(tags).description(description).baseUnit(baseUnit)
          .register(registry);
    }
    return Gauge.builder(name, this, m -> m.valueOf(tags)).tags(tags).description(description).baseUnit(baseUnit)
        .register(registry);
  }

  private double valueOf(Tags tags) {
    Double value = values.get(tags);
    return value == null ? Double.NaN : value;
  }
}
