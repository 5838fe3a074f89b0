package io.edgeproxy.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.edgeproxy.core.fs.HeldLock;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk tier (EDGEPROXY_CACHE_DIR): one file per stored response ({@link EntryFile}), an index
 * in memory of what each key holds (no header fields: about 300 bytes a response), bounded by the
 * files' bytes (EDGEPROXY_CACHE_MAX_BYTES, Caffeine's W-TinyLFU as in memory). Opening it reads
 * every file's head back, so a restart keeps what was stored; files not finished (a crash, a full
 * disk) are removed then.
 *
 * <p>Every write, rename and unlink runs on one thread of its own, never on an event loop. Reads
 * (a hit's head, its body as it is sent) run where the hit is served.
 */
final class DiskTier implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DiskTier.class);
  /** Bytes handed to the writer and not yet written, at most; past it a store is abandoned (the disk is too slow). */
  static final long MAX_PENDING_BYTES = 64L << 20;
  static final String ENTRY = ".entry";
  static final String TEMP = ".tmp";
  private static final String THREAD = "edgeproxy-cache-disk";

  /** What the index keeps of a stored response. */
  record Variant(Path file, long fileBytes, Freshness freshness, List<String> varyNames, List<@Nullable String> varyValues,
      List<String> tags) {
    boolean matches(HttpHeaders request) {
      return CacheEntry.selects(varyNames, varyValues, request);
    }

    boolean sameVariant(Variant o) {
      return varyNames.equals(o.varyNames) && varyValues.equals(o.varyValues);
    }
  }

  private final Path dir;
  private final Cache<String, List<Variant>> index;
  private final ExecutorService io;
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong sequence = new AtomicLong(System.nanoTime());
  private final LongAdder errors = new LongAdder();
  private final PurgeLog purgeLog;
  private volatile @Nullable String lastError;
  private @Nullable HeldLock lockFile;
  private volatile long lastWarnNanos = System.nanoTime() - TimeUnit.MINUTES.toNanos(2);

  private DiskTier(Path dir, long maxBytes, Consumer<String> evicted) {
    this.dir = dir;
    this.io = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, THREAD);
      t.setDaemon(true);
      return t;
    });
    this.index = Caffeine.newBuilder()
        .maximumWeight(Math.max(1, maxBytes >> 10))
        .weigher((String k, List<Variant> v) -> weightKib(v))
        .removalListener((String k, List<Variant> v, RemovalCause cause) -> {
          if (cause != RemovalCause.REPLACED && v != null) {
            v.forEach(x -> delete(x.file()));
          }
          if (cause.wasEvicted() && k != null) {
            evicted.accept(k);
          }
        })
        .executor(Runnable::run)
        .build();
    this.purgeLog = new PurgeLog(dir.resolve("purges-applied"));
  }

  /**
   * Opens the tier in {@code dir} (made if missing) with what it already holds; refused while
   * another agent has it open (two would delete each other's files).
   */
  static DiskTier open(Path dir, long maxBytes, Consumer<String> evicted) throws IOException {
    Files.createDirectories(dir);
    HeldLock lock = switch (HeldLock.take(dir.resolve("lock"), "edgeproxy cache")) {
      case HeldLock.Outcome.Taken t -> t.lock();
      case HeldLock.Outcome.Busy b -> throw new IOException("another agent uses it (each agent needs a cache directory of its own; "
          + (b.holder().isEmpty() ? "held" : "held by " + b.holder()) + ")");
    };
    DiskTier tier = new DiskTier(dir, maxBytes, evicted);
    tier.lockFile = lock;
    try {
      tier.load();
    } catch (IOException | RuntimeException e) {
      tier.close(); // and the lock
      throw e;
    }
    return tier;
  }

  private static int weightKib(List<Variant> variants) {
    long b = 0;
    for (Variant v : variants) {
      b += v.fileBytes() + 256; // the index's own share
    }
    return (int) Math.min(Integer.MAX_VALUE, (b + 1023) >> 10);
  }

  private void load() throws IOException {
    long started = System.nanoTime();
    int kept = 0;
    int dropped = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(TEMP)) {
          Files.deleteIfExists(file); // a store a crash or a full disk cut short
          dropped++;
        } else if (name.endsWith(ENTRY)) {
          try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            EntryFile.Head head = EntryFile.read(ch);
            add(head.key(), new Variant(file, ch.size(), head.freshness(), head.varyNames(), head.varyValues(),
                Purges.tagsOf(head.headers())));
            kept++;
          } catch (IOException e) {
            LOG.warn("cache: dropped {}: {}", file, e.getMessage());
            Files.deleteIfExists(file);
            dropped++;
          }
        }
      }
    }
    index.cleanUp();
    LOG.info("cache: disk tier {} holds {} responses ({} KiB); {} unfinished or damaged files removed; {} ms", dir, kept,
        index.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L), dropped,
        (System.nanoTime() - started) / 1_000_000);
  }

  /** The ids of the purges applied to this tier, as they were when it opened. */
  java.util.Set<String> appliedPurges() {
    return purgeLog.read();
  }

  /** Remembers that purge {@code id} was applied (so a restart does not apply it again to what was stored since). */
  void purged(String id) {
    execute(() -> purgeLog.append(id, this::failed));
  }

  /** Forgets every applied purge but {@code ids} (rows leave routing.db after a day). */
  void keepPurges(java.util.Set<String> ids) {
    java.util.Set<String> copy = java.util.Set.copyOf(ids);
    execute(() -> purgeLog.rewrite(copy, this::failed));
  }

  /**
   * The variant of {@code key} that {@code request} selects, its head read from its file; null when
   * none is stored (or its file is gone).
   */
  @Nullable CacheEntry get(String key, HttpHeaders request) {
    List<Variant> variants = index.getIfPresent(key);
    if (variants == null) {
      return null;
    }
    for (Variant v : variants) {
      if (v.matches(request)) {
        try (FileChannel ch = FileChannel.open(v.file(), StandardOpenOption.READ)) {
          EntryFile.Head head = EntryFile.read(ch);
          return new CacheEntry(head.status(), head.headers(), new FileBody(v.file(), head.bodyOffset(), head.bodyLength()),
              v.freshness(), v.varyNames(), v.varyValues());
        } catch (NoSuchFileException e) {
          drop(key, v); // evicted or purged meanwhile
          return null;
        } catch (IOException e) {
          failed("cannot read " + v.file() + ": " + e.getMessage()); // a miss now; the file may be fine (too many open files)
          return null;
        }
      }
    }
    return null;
  }

  boolean has(String key) {
    return index.getIfPresent(key) != null;
  }

  /** Starts storing a response under {@code key} ({@code entry}'s body is ignored: it is appended). */
  DiskWriter writer(String key, CacheEntry entry) {
    return new DiskWriter(this, key, entry);
  }

  /** Stores a whole response held in memory (the disk copy of a memory entry). */
  void put(String key, CacheEntry entry) {
    if (entry.body() instanceof MemoryBody heap) {
      DiskWriter w = writer(key, entry);
      for (byte[] chunk : heap.chunks()) {
        if (!w.append(chunk)) {
          return;
        }
      }
      w.commit(() -> false, ok -> { });
    }
  }

  /** Does the index still name {@code file} for {@code key} (not evicted, purged or replaced)? */
  boolean holds(String key, Path file) {
    List<Variant> variants = index.getIfPresent(key);
    return variants != null && variants.stream().anyMatch(v -> v.file().equals(file));
  }

  /** Drops the variant of {@code key} stored in {@code file} (gone from under the tier). */
  void forget(String key, Path file) {
    List<Variant> variants = index.getIfPresent(key);
    if (variants != null) {
      variants.stream().filter(v -> v.file().equals(file)).findFirst().ifPresent(v -> drop(key, v));
    }
  }

  /** Drops every variant of {@code key}. */
  void remove(String key) {
    index.invalidate(key);
  }

  /** Drops every variant {@code test} accepts (given its key and tags); how many. */
  int removeIf(BiPredicate<String, List<String>> test) {
    int[] n = {0};
    for (String key : List.copyOf(index.asMap().keySet())) {
      index.asMap().computeIfPresent(key, (k, variants) -> {
        List<Variant> kept = new ArrayList<>(variants.size());
        for (Variant v : variants) {
          if (test.test(k, v.tags())) {
            n[0]++;
            delete(v.file());
          } else {
            kept.add(v);
          }
        }
        return kept.size() == variants.size() ? variants : kept.isEmpty() ? null : List.copyOf(kept);
      });
    }
    return n[0];
  }

  /** Takes {@code gone} out of the index and unlinks its file (if it is still there). */
  void drop(String key, Variant gone) {
    index.asMap().computeIfPresent(key, (k, variants) -> {
      List<Variant> kept = new ArrayList<>(variants);
      kept.remove(gone);
      return kept.isEmpty() ? null : List.copyOf(kept);
    });
    delete(gone.file());
  }

  /** Puts {@code v} in the index, replacing the same variant (whose file goes); newest first. */
  void add(String key, Variant v) {
    index.asMap().compute(key, (k, old) -> {
      List<Variant> next = new ArrayList<>(old == null ? 1 : old.size() + 1);
      next.add(v);
      if (old != null) {
        for (Variant o : old) {
          if (o.sameVariant(v) && o.freshness().receivedMs() > v.freshness().receivedMs()) {
            delete(v.file()); // the one already there is newer (two files of one variant after a crash)
            return old;
          }
        }
        for (Variant o : old) {
          if (!o.sameVariant(v) && next.size() < MemoryTier.MAX_VARIANTS) {
            next.add(o);
          } else {
            delete(o.file());
          }
        }
      }
      return List.copyOf(next);
    });
  }

  private void delete(Path file) {
    Runnable unlink = () -> {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        failed("cannot remove " + file + ": " + e.getMessage());
      }
    };
    if (Thread.currentThread().getName().equals(THREAD)) {
      unlink.run(); // a store's eviction, on the tier's thread already (also while it closes)
    } else {
      execute(unlink);
    }
  }

  /** Runs {@code task} on the tier's thread; dropped once it is closed (a file left behind is bounded when it opens next). */
  void execute(Runnable task) {
    try {
      io.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed
    }
  }

  /** A write, rename or unlink failed (a full disk, most often): counted, kept for the status, logged at most once a minute. */
  void failed(String problem) {
    errors.increment();
    lastError = problem;
    long now = System.nanoTime();
    if (now - lastWarnNanos > TimeUnit.MINUTES.toNanos(1)) {
      lastWarnNanos = now;
      LOG.warn("cache: {} (the response is served, not stored; {} disk errors so far)", problem, errors.sum());
    }
  }

  /** A new temporary file's path (unique per tier). */
  Path temporary() {
    return dir.resolve(Long.toHexString(sequence.incrementAndGet()) + TEMP);
  }

  /** Takes {@code bytes} more as waiting to be written; false (nothing taken) when that is more than the bound. */
  boolean reserve(long bytes) {
    if (pending.addAndGet(bytes) > MAX_PENDING_BYTES) {
      pending.addAndGet(-bytes);
      return false;
    }
    return true;
  }

  /** {@code bytes} reserved are written (or dropped). */
  void released(long bytes) {
    pending.addAndGet(-bytes);
  }

  /** Runs {@code task} on the tier's thread; false when the tier is closed. */
  boolean tryExecute(Runnable task) {
    try {
      io.execute(task);
      return true;
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return false;
    }
  }

  long keys() {
    return index.estimatedSize();
  }

  /** Bytes of the files in the index (KiB-rounded per key). */
  long bytes() {
    return index.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L) << 10;
  }

  long errors() {
    return errors.sum();
  }

  @Nullable String lastError() {
    return lastError;
  }

  void cleanUp() {
    index.cleanUp();
  }

  /** Lets what was handed to the writer finish (a few seconds at most). */
  @Override
  public void close() {
    io.shutdown();
    try {
      io.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    HeldLock lock = lockFile;
    lockFile = null;
    if (lock != null) {
      try {
        lock.close(); // releases the directory for the next agent
      } catch (IOException e) {
        // the process is ending; the lock goes with it
      }
    }
  }
}
