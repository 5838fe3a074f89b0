package io.edgeproxy.benchmarks;

import io.edgeproxy.core.geo.MaxMindGeoResolver;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One country lookup of a new client's address in the embedded GeoIP database, read into the heap
 * from the jar ({@code source=jar}) or memory-mapped from the launcher's copy ({@code source=mapped}),
 * over 4,096 random public IPv4 addresses (so the trie's pages are not all in the CPU's caches).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar GeoLookupBenchmark -wi 3 -i 5 -w 1 -r 1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class GeoLookupBenchmark {
  @Param({"jar", "mapped"})
  public String source;

  private MaxMindGeoResolver resolver;
  private Path copy;
  private final InetAddress[] addresses = new InetAddress[4096];
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    if (source.equals("mapped")) {
      copy = Files.createTempFile("geo-bench", ".mmdb");
      try (InputStream in = MaxMindGeoResolver.class.getResourceAsStream(MaxMindGeoResolver.EMBEDDED_RESOURCE)) {
        Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      System.setProperty(MaxMindGeoResolver.EMBEDDED_COPY_PROPERTY, copy.toString());
    } else {
      System.clearProperty(MaxMindGeoResolver.EMBEDDED_COPY_PROPERTY);
    }
    resolver = MaxMindGeoResolver.embedded();
    if (source.equals("mapped") != resolver.describe().contains("mapped from")) {
      throw new IllegalStateException("wrong source: " + resolver.describe());
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < addresses.length; i++) {
      byte[] a = new byte[4];
      do {
        random.nextBytes(a);
      } while (a[0] == 10 || a[0] == 127 || a[0] == 0 || (a[0] & 0xff) >= 224);
      addresses[i] = InetAddress.getByAddress(a);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    resolver.close();
    if (copy != null) {
      Files.deleteIfExists(copy);
    }
  }

  @Benchmark
  public String lookup() {
    next = (next + 1) & (addresses.length - 1);
    return resolver.countryOf(addresses[next]);
  }
}
