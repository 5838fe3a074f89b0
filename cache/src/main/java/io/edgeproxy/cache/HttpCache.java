package io.edgeproxy.cache;

import io.edgeproxy.core.config.CacheConfig;
import io.edgeproxy.core.edge.CachePurge;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A POP's edge cache for apps in HTTP mode with {@code apps.cache = 1}: lookups, stores,
 * invalidations and request collapsing, over the memory tier and, when there is one, the disk
 * tier. Thread-safe: every event loop of the proxy shares one.
 */
public final class HttpCache implements AutoCloseable {
  private final MemoryTier memory;
  private final @Nullable DiskTier disk;
  /** The largest body kept in memory; larger ones live on disk only. */
  private final long memoryObjectBytes;
  private final RecentPurges recent;
  /** How long requests wait for the same request at the origin before going there themselves. */
  public static final long MAX_WAIT_NANOS = 30_000_000_000L;
  private final Flights flights;
  private final long maxObjectBytes;
  private final LongSupplier clockMs;
  private final String name;
  private final boolean shield;
  private final java.util.concurrent.ConcurrentHashMap<String, Long> applied;
  private final java.util.concurrent.ConcurrentHashMap<String, AppCounters> apps;

  /**
   * @param name this cache's name in {@code Cache-Status} (RFC 9211)
   * @param memoryBytes bound of the memory tier
   * @param maxObjectBytes the largest body stored
   */
  public HttpCache(String name, long memoryBytes, long maxObjectBytes, LongSupplier clockMs) {
    this(name, memoryBytes, maxObjectBytes, null, clockMs);
  }

  private HttpCache(String name, long memoryBytes, long maxObjectBytes, @Nullable DiskTier disk, LongSupplier clockMs) {
    this.name = name;
    this.shield = false;
    this.recent = new RecentPurges();
    this.flights = new Flights(MAX_WAIT_NANOS);
    this.applied = new java.util.concurrent.ConcurrentHashMap<>();
    this.apps = new java.util.concurrent.ConcurrentHashMap<>();
    this.memory = new MemoryTier(memoryBytes, key -> counters(key).evicted.increment());
    this.disk = disk;
    this.maxObjectBytes = maxObjectBytes;
    this.memoryObjectBytes = Math.min(maxObjectBytes, Math.max(1, memoryBytes / 16));
    this.clockMs = clockMs;
    if (disk != null) {
      disk.appliedPurges().forEach(id -> applied.put(id, 0L));
    }
  }

  /**
   * The cache {@code config} describes: memory only, or memory over the disk tier in
   * {@code config.dir()} with what it already holds (a restart keeps it).
   */
  public static HttpCache open(String name, CacheConfig config, LongSupplier clockMs) throws IOException {
    if (config.dir() == null) {
      return new HttpCache(name, config.memoryBytes(), config.maxObjectBytes(), null, clockMs);
    }
    AppCountersByKey evictions = new AppCountersByKey();
    DiskTier disk = DiskTier.open(config.dir(), config.maxBytes(), evictions);
    HttpCache cache = new HttpCache(name, config.memoryBytes(), config.maxObjectBytes(), disk, clockMs);
    evictions.cache = cache;
    return cache;
  }

  /** Counts the disk tier's evictions by app once the cache exists (the tier is opened first). */
  private static final class AppCountersByKey implements Consumer<String> {
    private volatile @Nullable HttpCache cache;

    @Override
    public void accept(String key) {
      HttpCache c = cache;
      if (c != null) {
        c.counters(key).evicted.increment();
      }
    }
  }

  /** {@code of} under another name, as the regional shield other POPs ask: the same tiers, flights and counters. */
  private HttpCache(HttpCache of, String name) {
    this.name = name;
    this.shield = true;
    this.memory = of.memory;
    this.disk = of.disk;
    this.memoryObjectBytes = of.memoryObjectBytes;
    this.recent = of.recent;
    this.flights = of.flights;
    this.maxObjectBytes = of.maxObjectBytes;
    this.clockMs = of.clockMs;
    this.applied = of.applied;
    this.apps = new java.util.concurrent.ConcurrentHashMap<>(); // what other POPs asked, not counted twice in this POP's figures
  }

  /** This cache as the regional shield of other POPs, named {@code name} in their responses' Cache-Status. */
  public HttpCache asShield(String name) {
    return new HttpCache(this, name);
  }

  /** True for the view other POPs ask as their shield: {@code CDN-Cache-Control} is theirs too, so it is passed on. */
  public boolean forShield() {
    return shield;
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

  /** The largest body kept in memory (larger ones are on disk only, and streamed from there). */
  public long memoryObjectBytes() {
    return memoryObjectBytes;
  }

  /**
   * The stored variant of {@code key} that {@code request} selects, or null: from memory, else from
   * disk (a {@link FileBody}: its head was read from the file, the body is sent from it).
   */
  public @Nullable CacheEntry lookup(String key, HttpHeaders request) {
    CacheEntry e = memory.get(key, request);
    return e != null || disk == null ? e : disk.get(key, request);
  }

  /** True when some variant of {@code key} is stored (a miss is then a Vary miss). */
  public boolean hasKey(String key) {
    return memory.has(key) || (disk != null && disk.has(key));
  }

  /** Stores a whole response held in memory (a 304 refreshed it, say), on disk too when there is a disk tier. */
  public void store(String key, CacheEntry entry) {
    if (entry.body() instanceof MemoryBody && entry.body().length() <= memoryObjectBytes) {
      memory.put(key, entry, false);
    } else {
      memory.removeVariant(key, entry); // an older copy in memory must not hide this one
    }
    if (disk != null) {
      disk.put(key, entry);
    }
    counters(key).stored.increment();
  }

  /**
   * {@code entry} with its body in memory: as it is, or read from its file when that is small enough
   * to keep in memory; null when it is not (or the file is gone).
   */
  public @Nullable CacheEntry inMemory(CacheEntry entry) {
    if (!(entry.body() instanceof FileBody file)) {
      return entry;
    }
    if (file.length() > memoryObjectBytes) {
      return null;
    }
    try (var ch = java.nio.channels.FileChannel.open(file.file(), java.nio.file.StandardOpenOption.READ)) {
      byte[] bytes = new byte[(int) file.length()];
      var buf = java.nio.ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        if (ch.read(buf, file.offset() + buf.position()) < 0) {
          return null;
        }
      }
      MemoryBody.Collector body = new MemoryBody.Collector(memoryObjectBytes);
      body.add(bytes);
      return entry.withBody(body.build());
    } catch (IOException e) {
      return null;
    }
  }

  /** {@code file}, stored under {@code key}, is gone from under the disk tier (removed by hand): it forgets that variant. */
  public void lost(String key, FileBody file) {
    if (disk != null) {
      disk.forget(key, file.file());
    }
  }

  /**
   * Where purges and invalidations are now: a fill or a promotion that began at this point is
   * dropped at its end when one applied meanwhile selects it.
   */
  public long epoch() {
    return recent.epoch();
  }

  /**
   * A response served from disk ({@code onDisk}, looked up at {@code epoch}) is kept in memory too,
   * its body read on the way ({@code entry}): unless a purge or invalidation took it meanwhile, its
   * file is no longer the stored one, or memory holds the same variant received later.
   */
  public void promote(String key, CacheEntry entry, FileBody onDisk, long epoch) {
    if (!(entry.body() instanceof MemoryBody) || entry.body().length() > memoryObjectBytes || disk == null
        || !disk.holds(key, onDisk.file()) || recent.selectedSince(epoch, key, Purges.tagsOf(entry.headers()))) {
      return;
    }
    memory.put(key, entry, true);
  }

  /**
   * Starts storing a response as its body streams in; {@code head}'s body is ignored. Bodies up to
   * {@link #memoryObjectBytes} go to memory, and every body to disk when there is a disk tier.
   * {@code epoch}: when the request went to the origin ({@link #epoch}); a purge applied since that
   * selects the response keeps it out.
   */
  public Fill fill(String key, CacheEntry head, long epoch) {
    return new Fill(key, head, epoch);
  }

  /** A response being stored while it is relayed. The exchange's event loop only. */
  public final class Fill {
    private final String key;
    private final CacheEntry head;
    private final long epoch;
    private MemoryBody.@Nullable Collector heap;
    private @Nullable DiskWriter file;
    private long length;
    private boolean given;

    private Fill(String key, CacheEntry head, long epoch) {
      this.key = key;
      this.head = head;
      this.epoch = epoch;
      this.heap = new MemoryBody.Collector(memoryObjectBytes);
      this.file = disk == null ? null : disk.writer(key, head);
    }

    /** Takes a part of the body (a copy); false once it will not be stored (too large, the disk failed). */
    public boolean add(ByteBuf part) {
      if (given) {
        return false;
      }
      int n = part.readableBytes();
      length += n;
      if (length > maxObjectBytes) {
        abort();
        return false;
      }
      if (n == 0) {
        return true;
      }
      byte[] copy = MemoryBody.copyOf(part);
      if (heap != null && !heap.add(copy)) {
        heap = null; // larger than memory holds: on disk only
      }
      if (file != null && !file.append(copy)) {
        file = null;
      }
      if (heap == null && file == null) {
        abort();
        return false;
      }
      return true;
    }

    /**
     * The body is complete: stores it (unless a purge applied meanwhile selects it). {@code stored} is
     * told whether it can be looked up now: at once when it went to memory, else when its file is
     * finished (on the disk tier's thread).
     */
    public void commit(Consumer<Boolean> stored) {
      if (given) {
        stored.accept(false);
        return;
      }
      given = true;
      List<String> tags = Purges.tagsOf(head.headers());
      // A purge bumps the epoch before it removes: checked after each put, so either the purge
      // finds the entry or the check finds the purge.
      java.util.function.BooleanSupplier purged = () -> recent.selectedSince(epoch, key, tags);
      if (purged.getAsBoolean()) {
        abortFile();
        stored.accept(false);
        return;
      }
      MemoryBody.Collector h = heap;
      DiskWriter f = file;
      if (h != null) {
        CacheEntry entry = head.withBody(h.build());
        memory.put(key, entry, false);
        if (purged.getAsBoolean()) {
          memory.removeVariant(key, entry);
          abortFile();
          stored.accept(false);
          return;
        }
        counters(key).stored.increment();
        if (f != null) {
          f.commit(purged, ok -> { });
        }
        stored.accept(true);
      } else if (f != null) {
        memory.removeVariant(key, head); // an older copy in memory must not hide this one
        f.commit(purged, ok -> {
          if (ok) {
            counters(key).stored.increment();
          }
          stored.accept(ok);
        });
      } else {
        stored.accept(false);
      }
    }

    /** Not stored after all (the exchange failed, the body was too large). */
    public void abort() {
      given = true;
      heap = null;
      abortFile();
    }

    private void abortFile() {
      if (file != null) {
        file.abort();
        file = null;
      }
    }
  }

  /**
   * Applies the purges not applied here before (each once, whatever snapshot repeats it); returns
   * how many stored responses went.
   */
  public int applyPurges(List<CachePurge> purges) {
    int dropped = 0;
    for (CachePurge p : purges) {
      if (applied.putIfAbsent(p.id(), p.createdMs()) == null) {
        recent.applied(p);
        int n = memory.removeIf((key, entry) -> Purges.selects(p, key, entry));
        if (disk != null) {
          n += disk.removeIf((key, tags) -> Purges.selects(p, key, tags));
          disk.purged(p.id());
        }
        apps.computeIfAbsent(p.app(), a -> new AppCounters()).purged.add(n);
        dropped += n;
      }
    }
    if (applied.size() > purges.size() + 1024) {
      // Rows leave routing.db after a day; forget the ids no snapshot lists any more.
      var listed = new java.util.HashSet<String>();
      purges.forEach(p -> listed.add(p.id()));
      applied.keySet().retainAll(listed);
      if (disk != null) {
        disk.keepPurges(listed);
      }
    }
    return dropped;
  }

  /** Drops what is stored under {@code key} (RFC 9111 §4.4: an unsafe method's success). */
  public void invalidate(String key) {
    recent.invalidated(key); // a fill or promotion of it in flight is not stored after this
    memory.remove(key);
    if (disk != null) {
      disk.remove(key);
    }
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

  /** A response of {@code key} served from the cache ({@code bodyBytes} of it, from disk when {@code fromDisk}). */
  public void hit(String key, long bodyBytes, boolean fromDisk) {
    AppCounters c = counters(key);
    c.hits.increment();
    c.bytesFromCache.add(bodyBytes);
    if (fromDisk) {
      c.diskHits.increment();
      c.bytesFromDisk.add(bodyBytes);
    }
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

  /** Counters by app, and the tiers' totals. */
  public Stats stats() {
    memory.cleanUp();
    java.util.List<AppStats> byApp = new java.util.ArrayList<>();
    apps.forEach((app, c) -> byApp.add(c.snapshot(app)));
    byApp.sort(java.util.Comparator.comparing(AppStats::app));
    if (disk == null) {
      return new Stats(byApp, memory.keys(), memory.bytes(), null);
    }
    disk.cleanUp();
    return new Stats(byApp, memory.keys(), memory.bytes(), new DiskStats(disk.keys(), disk.bytes(), disk.errors(), disk.lastError()));
  }

  /** Lets the disk tier finish what it was given. */
  @Override
  public void close() {
    if (disk != null) {
      disk.close();
    }
  }

  /**
   * One app's counters since start: requests answered (hits, of them stale, of them from disk), sent
   * on (misses, bypassed), and entries.
   */
  public record AppStats(String app, long hits, long misses, long stale, long collapsed, long bypassed, long stored, long purged,
      long evicted, long bytesFromCache, long diskHits, long bytesFromDisk) {
    /** hits / (hits + misses), 0 without requests. */
    public double hitRatio() {
      return hits + misses == 0 ? 0 : (double) hits / (hits + misses);
    }
  }

  /** What the cache holds (keys and bytes in memory; the disk tier's, when there is one) and has done. */
  public record Stats(java.util.List<AppStats> apps, long keys, long bytes, @Nullable DiskStats disk) {
    public AppStats of(String app) {
      return apps.stream().filter(a -> a.app().equals(app)).findFirst()
          .orElse(new AppStats(app, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    }
  }

  /** The disk tier: keys and file bytes it holds, writes that failed (a full disk) and the last one's problem. */
  public record DiskStats(long keys, long bytes, long errors, @Nullable String lastError) {}
}
