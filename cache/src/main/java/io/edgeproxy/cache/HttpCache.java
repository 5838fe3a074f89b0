package io.edgeproxy.cache;

import io.edgeproxy.core.edge.CachePurge;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A POP's edge cache for apps in HTTP mode with {@code apps.cache = 1}: lookups, stores,
 * invalidations and request collapsing, over the memory tier. Thread-safe: every event loop of
 * the proxy shares one.
 */
public final class HttpCache {
  private final MemoryTier memory;
  /** How long requests wait for the same request at the origin before going there themselves. */
  public static final long MAX_WAIT_NANOS = 30_000_000_000L;
  private final Flights flights = new Flights(MAX_WAIT_NANOS);
  private final long maxObjectBytes;
  private final LongSupplier clockMs;
  private final String name;
  private final java.util.concurrent.ConcurrentHashMap<String, Long> applied = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.ConcurrentHashMap<String, AppCounters> apps = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param name this cache's name in {@code Cache-Status} (RFC 9211)
   * @param memoryBytes bound of the memory tier
   * @param maxObjectBytes the largest body stored
   */
  public HttpCache(String name, long memoryBytes, long maxObjectBytes, LongSupplier clockMs) {
    this.name = name;
    this.memory = new MemoryTier(memoryBytes, key -> counters(key).evicted.increment());
    this.maxObjectBytes = maxObjectBytes;
    this.clockMs = clockMs;
  }

  public String name() {
    return name;
  }

  public long nowMs() {
    return clockMs.getAsLong();
  }

  public long maxObjectBytes() {
    return maxObjectBytes;
  }

  /**
   * The key of a request: app, scheme and host (lowercase: the target URI's authority, RFC 9111
   * §2) and request target; GET and HEAD share it.
   */
  public static String keyOf(String app, String scheme, @Nullable String host, String target) {
    return app + '\n' + scheme + "://" + (host == null ? "" : host.toLowerCase(Locale.ROOT)) + '\n' + target;
  }

  /** The stored variant of {@code key} that {@code request} selects, or null. */
  public @Nullable CacheEntry lookup(String key, HttpHeaders request) {
    return memory.get(key, request);
  }

  /** True when some variant of {@code key} is stored (a miss is then a Vary miss). */
  public boolean hasKey(String key) {
    return memory.has(key);
  }

  public void store(String key, CacheEntry entry) {
    memory.put(key, entry);
    counters(key).stored.increment();
  }

  /**
   * Applies the purges not applied here before (each once, whatever snapshot repeats it); returns
   * how many stored responses went.
   */
  public int applyPurges(List<CachePurge> purges) {
    int dropped = 0;
    for (CachePurge p : purges) {
      if (applied.putIfAbsent(p.id(), p.createdMs()) == null) {
        int n = memory.removeIf((key, entry) -> Purges.selects(p, key, entry));
        apps.computeIfAbsent(p.app(), a -> new AppCounters()).purged.add(n);
        dropped += n;
      }
    }
    if (applied.size() > purges.size() + 1024) {
      // Rows leave routing.db after a day; forget the ids no snapshot lists any more.
      var listed = new java.util.HashSet<String>();
      purges.forEach(p -> listed.add(p.id()));
      applied.keySet().retainAll(listed);
    }
    return dropped;
  }

  /** Drops what is stored under {@code key} (RFC 9111 §4.4: an unsafe method's success). */
  public void invalidate(String key) {
    memory.remove(key);
  }

  /**
   * Leads a fetch of {@code key}, or follows one already at the origin: then null is returned and
   * {@code follower} is called (on the leader's thread) when it lands.
   */
  public @Nullable Flight lead(String key, Consumer<Landing> follower) {
    Flights.Flight f = flights.lead(key, l -> follower.accept(l == Flights.Landing.STORED ? Landing.STORED : Landing.NOT_STORED),
        System.nanoTime());
    if (f == null) {
      counters(key).collapsed.increment();
      return null;
    }
    return new Flight(key, f);
  }

  /** What a follower learns when its leader lands. */
  public enum Landing {
    STORED, NOT_STORED
  }

  /** A fetch at the origin that others may be waiting on. */
  public final class Flight {
    private final String key;
    private final Flights.Flight flight;

    private Flight(String key, Flights.Flight flight) {
      this.key = key;
      this.flight = flight;
    }

    /** Tells the followers (once). */
    public void land(Landing landing) {
      flights.land(key, flight, landing == Landing.STORED ? Flights.Landing.STORED : Flights.Landing.NOT_STORED);
    }
  }

  /** A response of {@code key} served from the cache ({@code bodyBytes} of it). */
  public void hit(String key, long bodyBytes) {
    AppCounters c = counters(key);
    c.hits.increment();
    c.bytesFromCache.add(bodyBytes);
  }

  /** A request of {@code key} that went to the origin. */
  public void miss(String key) {
    counters(key).misses.increment();
  }

  /** A stale response of {@code key} served (stale-while-revalidate, stale-if-error). */
  public void servedStale(String key) {
    counters(key).stale.increment();
  }

  /** A request of {@code key} the cache could not answer (method, range). */
  public void bypassed(String key) {
    counters(key).bypassed.increment();
  }

  private AppCounters counters(String key) {
    int cut = key.indexOf('\n');
    return apps.computeIfAbsent(cut < 0 ? key : key.substring(0, cut), a -> new AppCounters());
  }

  /** Counters by app, and the memory tier's totals. */
  public Stats stats() {
    memory.cleanUp();
    java.util.List<AppStats> byApp = new java.util.ArrayList<>();
    apps.forEach((app, c) -> byApp.add(c.snapshot(app)));
    byApp.sort(java.util.Comparator.comparing(AppStats::app));
    return new Stats(byApp, memory.keys(), memory.bytes());
  }

  /** One app's counters since start: requests answered (hits, of them stale), sent on (misses, bypassed), and entries. */
  public record AppStats(String app, long hits, long misses, long stale, long collapsed, long bypassed, long stored, long purged,
      long evicted, long bytesFromCache) {
    /** hits / (hits + misses), 0 without requests. */
    public double hitRatio() {
      return hits + misses == 0 ? 0 : (double) hits / (hits + misses);
    }
  }

  /** What the cache holds and has done. */
  public record Stats(java.util.List<AppStats> apps, long keys, long bytes) {
    public AppStats of(String app) {
      return apps.stream().filter(a -> a.app().equals(app)).findFirst()
          .orElse(new AppStats(app, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    }
  }
}
