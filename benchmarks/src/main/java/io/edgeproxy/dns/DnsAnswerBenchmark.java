package io.edgeproxy.dns;

import io.edgeproxy.core.geo.ClientLocator;
import io.edgeproxy.core.geo.FixedGeoResolver;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.RoutingData;
import io.edgeproxy.core.routing.RoutingState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One UDP query through the DNS answer path (DnsResponder.respond: bytes in, response bytes out),
 * without sockets, on the zone of benchmarks/dns.sh (hostNN A/AAAA, _svcNN._tcp SRV with the
 * target's A in the additional section), queries taken in turn from that script's mix.
 * {@code hit}: the querier's network asked before, answered from the answer cache. {@code miss}:
 * every query from a network not seen before (the cache cannot hold it), which is the whole
 * parse, resolve and encode of the path before the cache, plus storing the result.
 *
 * <p>In package io.edgeproxy.dns because the answer path is package-private there.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DnsAnswerBenchmark {
  @Param({"hit", "miss"})
  public String path;

  private DnsResponder responder;
  private ByteBuf[] queries;
  private InetAddress[] clients;
  private ByteBuf out;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws UnknownHostException {
    List<Backend> rows = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      rows.add(backend("host%02d-4".formatted(i), "host%02d".formatted(i), "10.1.0." + i, 80));
    }
    for (int i = 1; i <= 30; i++) {
      rows.add(backend("host%02d-6".formatted(i), "host%02d".formatted(i), "fd00::1:" + Integer.toHexString(i), 80));
    }
    for (int i = 1; i <= 25; i++) {
      rows.add(backend("svc%02d-1".formatted(i), "svc%02d".formatted(i), "10.1.0." + i, 8000 + i));
    }
    RoutingState state = new RoutingState("sa", new LoadBoard());
    state.publish(RoutingData.of(rows));
    ZoneResolver resolver = new ZoneResolver("internal", state, List::of, System::nanoTime);
    responder = new DnsResponder(resolver, new ClientLocator(new FixedGeoResolver(Map.of())), new DnsStats(), 300, null);

    List<ByteBuf> list = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      list.add(query("host%02d".formatted(i), Rr.TYPE_A));
    }
    for (int i = 1; i <= 30; i++) {
      list.add(query("host%02d".formatted(i), Rr.TYPE_AAAA));
    }
    for (int i = 1; i <= 25; i++) {
      list.add(query("_svc%02d._tcp".formatted(i), Rr.TYPE_SRV));
    }
    queries = list.toArray(ByteBuf[]::new);
    // hit: one network (as dnsperf on loopback); miss: 2^16 networks, far more than the cache's slots
    clients = new InetAddress[path.equals("hit") ? 1 : 1 << 16];
    for (int i = 0; i < clients.length; i++) {
      clients[i] = InetAddress.getByAddress(new byte[] {10, (byte) (i >> 8), (byte) i, 7});
    }
    out = PooledByteBufAllocator.DEFAULT.directBuffer(512);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    out.release();
    for (ByteBuf q : queries) {
      q.release();
    }
  }

  @Benchmark
  public int respond() {
    int i = next++;
    ByteBuf q = queries[i % queries.length];
    out.clear();
    responder.respond(q, clients[(i / queries.length) % clients.length], false, out);
    return out.writerIndex();
  }

  private static Backend backend(String id, String app, String address, int port) throws UnknownHostException {
    return new Backend(id, app, "sa", "BR", InetAddress.getByName(address), port, true, 1, 1000, 0);
  }

  /** A query as dnsperf sends it: RD, no EDNS. */
  private static ByteBuf query(String rel, int type) {
    ByteBuf b = Unpooled.directBuffer(64);
    b.writeShort(0x1234).writeShort(0x0100).writeShort(1).writeShort(0).writeShort(0).writeShort(0);
    for (String label : (rel + ".internal").split("\\.")) {
      b.writeByte(label.length()).writeCharSequence(label, java.nio.charset.StandardCharsets.US_ASCII);
    }
    b.writeByte(0).writeShort(type).writeShort(1);
    return b;
  }
}
