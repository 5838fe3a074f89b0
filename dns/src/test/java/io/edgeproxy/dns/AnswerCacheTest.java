package io.edgeproxy.dns;

import static io.edgeproxy.dns.DnsHarness.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.geo.ClientLocator;
import io.edgeproxy.core.geo.FixedGeoResolver;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.RoutingData;
import io.edgeproxy.core.routing.RoutingState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The responder's answer cache, without sockets: a repeated query gets the same bytes with its own
 * id, and nothing that changes an answer (snapshot, live state, POP list, EDNS, client network) is
 * hidden by it. Each case compares against a responder whose cache cannot have seen the query.
 */
class AnswerCacheTest {
  private static final byte[] OPT_1232 = {0, 0, 41, 0x04, (byte) 0xD0, 0, 0, 0, 0, 0, 0};
  private static final byte[] OPT_512 = {0, 0, 41, 0x02, 0x00, 0, 0, 0, 0, 0, 0};

  private final RoutingState state = new RoutingState("sa", new LoadBoard());
  private final AtomicReference<List<Pop>> pops = new AtomicReference<>(List.of(new Pop("gru-1", "sa", ip("10.9.0.1"))));
  private final ClientLocator locator = new ClientLocator(new FixedGeoResolver(
      Map.of(ip("8.8.8.0"), "US", ip("9.9.9.0"), "DE")));
  private final ZoneResolver resolver = new ZoneResolver("internal", state, pops::get, System::nanoTime);
  private final DnsStats stats = new DnsStats();
  private final DnsResponder responder = new DnsResponder(resolver, locator, stats, 5, null);

  AnswerCacheTest() {
    state.publish(RoutingData.of(Fixture.backends()));
  }

  private byte[] ask(DnsResponder r, InetAddress from, int id, String name, int qtype, byte[]... opt) {
    byte[] packet = WirePackets.query(id, 0x0100, 1, 0, 0, opt.length,
        WirePackets.concat(WirePackets.question(name, qtype), WirePackets.concat(opt)));
    ByteBuf in = Unpooled.wrappedBuffer(packet);
    ByteBuf out = Unpooled.buffer();
    try {
      assertThat(r.respond(in, from, false, out)).isTrue();
      byte[] bytes = new byte[out.readableBytes()];
      out.readBytes(bytes);
      return bytes;
    } finally {
      in.release();
      out.release();
    }
  }

  private byte[] ask(InetAddress from, int id, String name, int qtype, byte[]... opt) {
    return ask(responder, from, id, name, qtype, opt);
  }

  /** The response a responder with an empty cache gives. */
  private byte[] fresh(InetAddress from, int id, String name, int qtype, byte[]... opt) {
    return ask(new DnsResponder(resolver, locator, new DnsStats(), 5, null), from, id, name, qtype, opt);
  }

  @Test
  void aRepeatedQueryGetsTheSameBytesWithItsOwnId() {
    InetAddress client = ip("8.8.8.8");
    byte[] first = ask(client, 0x1111, "_web._tcp.internal", Rr.TYPE_SRV, OPT_1232);
    byte[] second = ask(client, 0x2222, "_web._tcp.internal", Rr.TYPE_SRV, OPT_1232);
    assertThat(second[0]).isEqualTo((byte) 0x22);
    assertThat(second[1]).isEqualTo((byte) 0x22);
    assertThat(Arrays.copyOfRange(second, 2, second.length)).isEqualTo(Arrays.copyOfRange(first, 2, first.length));
    assertThat(stats.queriesTotal()).isEqualTo(2);
    assertThat(stats.responsesTotal(Answer.NOERROR)).isEqualTo(2);

    ask(client, 3, "nothere.internal", Rr.TYPE_A);
    ask(client, 4, "nothere.internal", Rr.TYPE_A);
    assertThat(stats.responsesTotal(Answer.NXDOMAIN)).isEqualTo(2);
  }

  @Test
  void liveStateOfABackendShowsAtOnce() {
    InetAddress client = ip("10.1.2.3");
    byte[] before = ask(client, 1, "web.internal", Rr.TYPE_A);
    state.current().routesFor("web").byId("web-eze-1").load().setCheckFailing(true);
    byte[] down = ask(client, 1, "web.internal", Rr.TYPE_A);
    assertThat(down).isNotEqualTo(before).isEqualTo(fresh(client, 1, "web.internal", Rr.TYPE_A));
    state.current().routesFor("web").byId("web-eze-1").load().setCheckFailing(false);
    assertThat(ask(client, 1, "web.internal", Rr.TYPE_A)).isEqualTo(before);
  }

  @Test
  void aNewSnapshotShowsAtOnce() {
    InetAddress client = ip("10.1.2.3");
    byte[] before = ask(client, 1, "api.internal", Rr.TYPE_A);
    List<Backend> rows = new ArrayList<>(Fixture.backends());
    rows.add(Fixture.backend("api-2", "api", "sa", "BR", "10.51.1.2", 9000, true, 1));
    state.publish(RoutingData.of(rows));
    byte[] after = ask(client, 1, "api.internal", Rr.TYPE_A);
    assertThat(after).isNotEqualTo(before).isEqualTo(fresh(client, 1, "api.internal", Rr.TYPE_A));
    assertThat(WirePackets.answerCount(after)).isEqualTo(2);
  }

  @Test
  void thePopListIsReadForEveryQuery() {
    InetAddress client = ip("10.1.2.3");
    byte[] one = ask(client, 1, "pops.internal", Rr.TYPE_A);
    pops.set(List.of(new Pop("gru-1", "sa", ip("10.9.0.1")), new Pop("gru-2", "sa", ip("10.9.0.2"))));
    assertThat(WirePackets.answerCount(ask(client, 1, "pops.internal", Rr.TYPE_A))).isEqualTo(WirePackets.answerCount(one) + 1);
  }

  @Test
  void ednsSizeClientSubnetAndTheQueriersNetworkAreEachPartOfTheKey() {
    InetAddress us = ip("8.8.8.8");
    InetAddress de = ip("9.9.9.9");
    for (String name : List.of("web.internal", "_web._tcp.internal")) {
      int type = name.startsWith("_") ? Rr.TYPE_SRV : Rr.TYPE_A;
      for (byte[][] opt : List.of(new byte[][] {}, new byte[][] {OPT_512}, new byte[][] {OPT_1232},
          new byte[][] {ecs(9, 9, 9)}, new byte[][] {ecs(8, 8, 8)})) {
        for (InetAddress from : List.of(us, de, ip("8.8.8.200"))) {
          ask(from, 7, name, type, opt); // fill the cache with every combination first
        }
      }
      for (byte[][] opt : List.of(new byte[][] {}, new byte[][] {OPT_512}, new byte[][] {OPT_1232},
          new byte[][] {ecs(9, 9, 9)}, new byte[][] {ecs(8, 8, 8)})) {
        for (InetAddress from : List.of(us, de, ip("8.8.8.200"))) {
          assertThat(ask(from, 7, name, type, opt)).as("%s from %s with %s", name, from, opt.length)
              .isEqualTo(fresh(from, 7, name, type, opt));
        }
      }
    }
    assertThat(ask(us, 7, "web.internal", Rr.TYPE_A)).isNotEqualTo(ask(de, 7, "web.internal", Rr.TYPE_A));
  }

  @Test
  void theQuestionIsEchoedInTheCaseItWasAskedIn() {
    InetAddress client = ip("10.1.2.3");
    ask(client, 1, "web.internal", Rr.TYPE_A);
    byte[] upper = ask(client, 1, "WEB.internal", Rr.TYPE_A);
    assertThat(new String(upper, 13, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("WEB");
  }

  /** OPT with a client subnet option for {@code a.b.c.0/24}, payload 1232. */
  private static byte[] ecs(int a, int b, int c) {
    return new byte[] {0, 0, 41, 0x04, (byte) 0xD0, 0, 0, 0, 0, 0, 11, 0, 8, 0, 7, 0, 1, 24, 0, (byte) a, (byte) b, (byte) c};
  }
}
