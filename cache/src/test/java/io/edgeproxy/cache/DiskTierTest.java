package io.edgeproxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.config.CacheConfig;
import io.edgeproxy.core.edge.CachePurge;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk tier on real files: what a restart keeps, what it drops, its bound and purges across restarts. */
class DiskTierTest {
  @TempDir Path dir;
  private final long now = 1_000_000L;

  /** Every cache a test opened: closed after it, so that no disk thread still writes or deletes as the directory goes. */
  private final java.util.List<HttpCache> opened = new java.util.ArrayList<>();

  private HttpCache open(long memoryBytes, long maxBytes) throws Exception {
    HttpCache cache = HttpCache.open("t", new CacheConfig(memoryBytes, 64L << 20).withDisk(dir, maxBytes), () -> now);
    opened.add(cache);
    return cache;
  }

  @org.junit.jupiter.api.AfterEach
  void closeEveryCache() {
    opened.forEach(HttpCache::close);
  }

  private static String key(String target) {
    return HttpCache.keyOf("web", "https", "h.test", target);
  }

  private CacheEntry head(String... fields) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (int i = 0; i < fields.length; i += 2) {
      h.add(fields[i], fields[i + 1]);
    }
    return new CacheEntry(200, h, MemoryBody.EMPTY, new Freshness(60_000, 0, now, -1, -1, false, false), List.of(), List.of());
  }

  /** Stores {@code body} under {@code target} in parts of 4 KiB; whether it was stored, once the disk has it. */
  private boolean store(HttpCache cache, String target, byte[] body, String... fields) throws Exception {
    HttpCache.Fill fill = cache.fill(key(target), head(fields), cache.epoch());
    for (int at = 0; at < body.length; at += 4096) {
      if (!fill.add(Unpooled.wrappedBuffer(body, at, Math.min(4096, body.length - at)))) {
        return false;
      }
    }
    CompletableFuture<Boolean> stored = new CompletableFuture<>();
    fill.commit(stored::complete);
    boolean ok = stored.get(10, TimeUnit.SECONDS);
    cache.close(); // lets the disk thread finish the file (tests reopen the directory)
    return ok;
  }

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + seed);
    }
    return b;
  }

  private static byte[] read(CacheEntry entry) throws Exception {
    FileBody f = (FileBody) entry.body();
    try (FileChannel ch = FileChannel.open(f.file(), StandardOpenOption.READ)) {
      var buf = java.nio.ByteBuffer.allocate((int) f.length());
      while (buf.hasRemaining() && ch.read(buf, f.offset() + buf.position()) > 0) {
        // reading
      }
      return buf.array();
    }
  }

  private long files(String suffix) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(suffix)).count();
    }
  }

  @Test
  void aRestartKeepsWhatWasStoredWithItsFieldsAndBody() throws Exception {
    byte[] big = bytes(300_000, 7);
    assertThat(store(open(1 << 20, 1L << 30), "/big", big, "ETag", "\"v1\"", "Surrogate-Key", "t1 t2")).isTrue();

    HttpCache reopened = open(1 << 20, 1L << 30);
    CacheEntry e = reopened.lookup(key("/big"), new DefaultHttpHeaders());
    assertThat(e).isNotNull();
    assertThat(e.body()).isInstanceOf(FileBody.class); // 300 KB: more than 1/16 of memory, so on disk only
    assertThat(e.headers().get("etag")).isEqualTo("\"v1\"");
    assertThat(e.freshness().isFresh(now)).isTrue();
    assertThat(read(e)).isEqualTo(big);
    assertThat(reopened.stats().disk().keys()).isEqualTo(1);
  }

  @Test
  void unfinishedAndDamagedFilesAreRemovedWhenTheTierOpens() throws Exception {
    assertThat(store(open(1 << 20, 1L << 30), "/a", bytes(10_000, 1))).isTrue();
    assertThat(store(open(1 << 20, 1L << 30), "/b", bytes(10_000, 2))).isTrue();
    Files.write(dir.resolve("123.tmp"), bytes(5000, 3)); // a store a crash cut short
    Path a;
    try (Stream<Path> s = Files.list(dir)) {
      a = s.filter(p -> p.toString().endsWith(".entry")).sorted().findFirst().orElseThrow();
    }
    try (FileChannel ch = FileChannel.open(a, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 3); // the trailer damaged
    }
    HttpCache reopened = open(1 << 20, 1L << 30);
    assertThat(files(".tmp")).isZero();
    assertThat(files(".entry")).isEqualTo(1);
    assertThat(reopened.stats().disk().keys()).isEqualTo(1);
  }

  @Test
  void theBoundKeepsTheFilesUnderItsBytes() throws Exception {
    HttpCache cache = open(1 << 20, 256 << 10);
    for (int i = 0; i < 20; i++) {
      HttpCache.Fill fill = cache.fill(key("/o" + i), head(), cache.epoch());
      fill.add(Unpooled.wrappedBuffer(bytes(40_000, i)));
      CompletableFuture<Boolean> stored = new CompletableFuture<>();
      fill.commit(stored::complete);
      stored.get(10, TimeUnit.SECONDS);
    }
    cache.close();
    long onDisk;
    try (Stream<Path> s = Files.list(dir)) {
      onDisk = s.filter(p -> p.toString().endsWith(".entry")).mapToLong(p -> p.toFile().length()).sum();
    }
    assertThat(onDisk).isLessThanOrEqualTo(256 << 10).isGreaterThan(100_000);
    assertThat(open(1 << 20, 256 << 10).stats().disk().keys()).isEqualTo(files(".entry"));
  }

  @Test
  void aPurgeIsAppliedOnceAcrossRestartsAndNotToWhatWasStoredSince() throws Exception {
    HttpCache cache = open(1 << 20, 1L << 30);
    store(cache, "/p", bytes(100, 1));
    cache = open(1 << 20, 1L << 30);
    CachePurge purge = new CachePurge("purge-1", "web", CachePurge.Kind.PATH, "/p", now);
    assertThat(cache.applyPurges(List.of(purge))).isEqualTo(1);
    store(cache, "/p", bytes(100, 2)); // stored after the purge (closes the cache: the purge's record is written)

    HttpCache reopened = open(1 << 20, 1L << 30);
    assertThat(reopened.applyPurges(List.of(purge))).isZero();
    assertThat(reopened.lookup(key("/p"), new DefaultHttpHeaders())).isNotNull();
  }

  @Test
  void aResponseOnItsWayWhenAPurgeSelectingItIsAppliedIsNotStored() throws Exception {
    HttpCache cache = open(1 << 20, 1L << 30);
    HttpCache.Fill fill = cache.fill(key("/late"), head("Cache-Tag", "news"), cache.epoch());
    fill.add(Unpooled.wrappedBuffer(bytes(1000, 1)));
    cache.applyPurges(List.of(new CachePurge("purge-2", "web", CachePurge.Kind.TAG, "news", now)));
    CompletableFuture<Boolean> stored = new CompletableFuture<>();
    fill.commit(stored::complete);
    assertThat(stored.get(10, TimeUnit.SECONDS)).isFalse();
    assertThat(cache.lookup(key("/late"), new DefaultHttpHeaders())).isNull();
    cache.close();
    assertThat(files(".entry")).isZero();
    assertThat(files(".tmp")).isZero();
  }

  @Test
  void aPurgeAppliedWhileTheFileIsBeingFinishedStillKeepsItOut() throws Exception {
    HttpCache cache = open(1 << 20, 1L << 30);
    for (int i = 0; i < 20; i++) {
      HttpCache.Fill fill = cache.fill(key("/race" + i), head(), cache.epoch());
      fill.add(Unpooled.wrappedBuffer(bytes(200_000, i))); // disk only: larger than memory keeps
      CompletableFuture<Boolean> stored = new CompletableFuture<>();
      fill.commit(stored::complete);
      cache.applyPurges(List.of(new CachePurge("race-" + i, "web", CachePurge.Kind.PATH, "/race" + i, now)));
      stored.get(10, TimeUnit.SECONDS); // whichever came first, the purge wins
      assertThat(cache.lookup(key("/race" + i), new DefaultHttpHeaders())).as("/race" + i).isNull();
    }
    cache.close();
    assertThat(files(".entry")).isZero();
  }

  @Test
  void aCopyReadFromDiskIsNotPromotedOverAPurgeOrANewerResponse() throws Exception {
    HttpCache cache = open(1 << 20, 1L << 30);
    store(cache, "/p", bytes(1000, 1));
    cache = open(1 << 20, 1L << 30); // memory empty: the entry is on disk
    CacheEntry onDisk = cache.lookup(key("/p"), new DefaultHttpHeaders());
    long epoch = cache.epoch();
    CacheEntry read = cache.inMemory(onDisk);
    cache.applyPurges(List.of(new CachePurge("promote-1", "web", CachePurge.Kind.ALL, "", now)));
    cache.promote(key("/p"), read, (FileBody) onDisk.body(), epoch);
    assertThat(cache.lookup(key("/p"), new DefaultHttpHeaders())).as("purged while it was being sent").isNull();
  }

  @Test
  void aLargerResponseOnDiskOnlyIsNotHiddenByTheOlderCopyInMemory() throws Exception {
    HttpCache cache = open(1 << 20, 1L << 30);
    HttpCache.Fill small = cache.fill(key("/grows"), head(), cache.epoch());
    small.add(Unpooled.wrappedBuffer(bytes(1000, 1)));
    CompletableFuture<Boolean> first = new CompletableFuture<>();
    small.commit(first::complete);
    first.get(10, TimeUnit.SECONDS);
    HttpCache.Fill large = cache.fill(key("/grows"), head(), cache.epoch());
    large.add(Unpooled.wrappedBuffer(bytes(200_000, 2)));
    CompletableFuture<Boolean> second = new CompletableFuture<>();
    large.commit(second::complete);
    assertThat(second.get(10, TimeUnit.SECONDS)).isTrue();
    CacheEntry now = cache.lookup(key("/grows"), new DefaultHttpHeaders());
    assertThat(now.body().length()).isEqualTo(200_000);
    assertThat(read(now)).isEqualTo(bytes(200_000, 2));
  }

  @Test
  void asecondAgentCannotOpenADirectoryInUse() throws Exception {
    HttpCache first = open(1 << 20, 1L << 30);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> open(1 << 20, 1L << 30))
        .hasMessageContaining("another agent uses it");
    first.close();
    open(1 << 20, 1L << 30).close();
  }
}
